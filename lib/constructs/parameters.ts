import { CfnParameter, type CfnParameterProps, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type TunableName, tunables } from '../../functions/tunables.ts';
import type { ParameterEnvName } from './environment.ts';

interface ParameterSpec extends CfnParameterProps {
  /** The parameter's logical id: `cdk deploy --parameters <id>=...`. */
  readonly id: string;
}

// Number parameters are the tunables (functions/tunables.ts) with the ranges the handlers accept,
// so a bad value fails the deployment instead of every cold start.
function tunableSpec(name: TunableName): ParameterSpec {
  const { parameter, default: fallback, min, max, meaning } = tunables[name];
  // CloudFormation shows descriptions as plain text: the README's links keep only their words.
  const description = meaning.replace(/ \(\[[^\]]*\]\([^)]*\)\)/g, '');
  return {
    id: parameter,
    type: 'Number',
    minValue: min,
    maxValue: max,
    default: String(fallback),
    description,
  };
}

// Parameters, not constants: operators set identity-provider and TURN details per environment and
// tune the numbers without a code change. Typed as a Record: a name environment.ts classifies as
// 'parameter' fails `tsc` until it has a spec here.
const SPECS: Record<Exclude<ParameterEnvName, TunableName>, ParameterSpec> = {
  AUTH_JWKS_URL: {
    id: 'AuthJwksUrl',
    description: 'JWKS URL of the OIDC issuer',
    allowedPattern: '^https://.+',
  },
  AUTH_ISSUER: { id: 'AuthIssuer', description: 'Expected JWT `iss`', minLength: 1 },
  AUTH_AUDIENCE: { id: 'AuthAudience', description: 'Expected JWT `aud`', minLength: 1 },
  TURN_SERVER: {
    id: 'TurnServer',
    default: '',
    description: 'TURN URL(s), comma separated; empty = STUN only',
  },
  TURN_USERNAME: { id: 'TurnUsername', default: '', description: 'Static TURN username' },
  // noEcho hides the value in CloudFormation; it is still visible in the Lambda configuration.
  TURN_PASSWORD: { id: 'TurnPassword', default: '', noEcho: true, description: 'Static TURN password' },
  TURN_SECRET: { id: 'TurnSecret', default: '', noEcho: true, description: 'TURN REST shared secret' },
};

/**
 * Stack parameters, created on first use so a template only asks for what some handler reads
 * (a stack without authenticated routes would not require the Auth* parameters).
 */
export class DeployParameters {
  private readonly stack: Stack;
  private readonly made = new Map<ParameterEnvName, CfnParameter>();

  constructor(scope: Construct) {
    // Direct children of the stack keep their logical id exactly (`AuthJwksUrl`, no hash suffix).
    this.stack = Stack.of(scope);
  }

  value(name: ParameterEnvName): string {
    let parameter = this.made.get(name);
    if (!parameter) {
      const { id, ...props } =
        name in tunables ? tunableSpec(name as TunableName) : SPECS[name as keyof typeof SPECS];
      parameter = new CfnParameter(this.stack, id, props);
      this.made.set(name, parameter);
    }
    return parameter.valueAsString;
  }
}
