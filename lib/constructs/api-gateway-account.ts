import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * API Gateway's account-level CloudWatch Logs role (one per account and region). Both the REST
 * and the WebSocket stage log through it, so it is made once here instead of by `RestApi`
 * (`cloudWatchRole: true`), and every logging stage depends on `this`.
 */
export class ApiGatewayAccount extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    // The account setting outlives this stack; deleting the role would break every API's logging.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    // The role is shared by every API Gateway API in the account and region, including APIs outside
    // this stack, so it cannot be scoped to this stack's log groups; AWS maintains the policy.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'Account-wide API Gateway logging role: the AWS-maintained AmazonAPIGatewayPushToCloudWatchLogs policy.',
    });
  }
}
