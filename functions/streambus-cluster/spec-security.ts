/**
 * @module functions/streambus-cluster/spec-security
 * `spec.security`: TLS, authentication and authorization of client connections. A part whose
 * `enabled` is not true reaches nothing.
 */
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';

export const AUTH_METHODS = ['mtls', 'jwt'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export class TlsSpec {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsString()
  @MinLength(1)
  certSecretName?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  caSecretName?: string;

  @IsOptional()
  @IsBoolean()
  clientAuthRequired?: boolean;
}

export class AuthenticationSpec {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsIn(AUTH_METHODS)
  method?: AuthMethod;

  @IsOptional()
  @IsArray()
  @IsIn(AUTH_METHODS, { each: true })
  allowedMethods?: AuthMethod[];

  /** The Secret holding the JWT verification key(s); mounted while jwt is an accepted method. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  jwtSecretName?: string;
}

export class AuthorizationSpec {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsIn(['allow', 'deny'])
  defaultPolicy?: 'allow' | 'deny';
}

export class SecuritySpec {
  @ValidateNested()
  @Type(() => TlsSpec)
  tls: TlsSpec = new TlsSpec();

  @ValidateNested()
  @Type(() => AuthenticationSpec)
  authentication: AuthenticationSpec = new AuthenticationSpec();

  @ValidateNested()
  @Type(() => AuthorizationSpec)
  authorization: AuthorizationSpec = new AuthorizationSpec();
}
