/**
 * @module tanzu/validators
 * class-validator decorators the streaming.tanzu.vmware.com specs need beyond the built-in ones.
 */
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isRecord } from '../../runtime/util.js';

/** Whether `value` is a map of strings to strings (the CRDs' `additionalProperties: string`). */
export function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** The property is a map of strings to strings. */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) => isStringMap(value),
        defaultMessage: () => '$property must be a map of strings',
      },
    },
    options,
  );
}
