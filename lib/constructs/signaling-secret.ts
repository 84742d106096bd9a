import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The HMAC key that signs WebSocket tickets (docs/websocket.md, "Connecting"). */
export class SignalingSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'DreamX livestream: HMAC key that signs WebSocket tickets',
      // 64 letters and digits: about 380 bits, more than HMAC-SHA256 uses, and no character that
      // needs escaping in an env file or a shell.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // DESTROY (the L2's default, stated on purpose): nothing outlives the stack that needs the key.
      // A replaced key only invalidates tickets issued in the last TTL (60 s by default); clients
      // fetch a new one from POST /ticket.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Ticket-signing key; tickets live 60 s by default (300 s at most). Automatic rotation needs dual-key verification (previous and current key) in wsAuthorize, a follow-up.',
    });
  }

  /** `secretsmanager:GetSecretValue` on this secret only (no DescribeSecret: handlers only read it). */
  grantGetValue(role: iam.Role): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
  }
}
