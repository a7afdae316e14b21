import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Two validators: query strings and path params arrive as text and are coerced to their declared
 * types; JSON bodies are taken as sent, so a wrong type is a 400 rather than silently converted.
 * Unknown properties are refused wherever a schema says `additionalProperties: false`.
 */
const strict = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
const coercing = new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });
(addFormats as unknown as (ajv: Ajv) => void)(strict);
(addFormats as unknown as (ajv: Ajv) => void)(coercing);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object) as never;
};
