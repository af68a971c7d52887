import type { OpenApiDocument } from '../api/contract';
import { DOC } from './contract-fixture';

/**
 * The shared fixture plus an order route in FastAPI's style: nested objects behind $ref, an array of
 * $ref items, an optional "X | null" object the valid body leaves out, a string map, a recursive
 * schema, and a list route with query parameters.
 */
export const NESTED_DOC: OpenApiDocument = {
  ...DOC,
  paths: {
    ...DOC.paths,
    '/v1/orders': {
      post: {
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateOrder' } } } },
        responses: { '200': { content: { 'application/json': { schema: {} } } } },
      },
      get: {
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'order', in: 'query', required: false, schema: { $ref: '#/components/schemas/Order' } },
          { name: 'since', in: 'query', required: true, schema: { type: 'integer' } },
          { name: 'archived', in: 'query', required: false, schema: { type: 'boolean' } },
          { name: 'after', in: 'query', required: false, schema: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
          // A number up to 100 or any text: "101" breaks the first branch and is taken by the second.
          { name: 'page', in: 'query', required: false, schema: { anyOf: [{ type: 'integer', maximum: 100 }, { type: 'string' }] } },
          { name: 'x-trace', in: 'header', required: true, schema: { type: 'integer' } },
        ],
        responses: { '200': { content: { 'application/json': { schema: {} } } } },
      },
    },
  },
  components: {
    schemas: {
      ...DOC.components!.schemas,
      CreateOrder: {
        type: 'object',
        required: ['lines'],
        properties: {
          lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } },
          shipping: { anyOf: [{ $ref: '#/components/schemas/Address' }, { type: 'null' }] },
          meta: { type: 'object', additionalProperties: { type: 'string' } },
          tree: { $ref: '#/components/schemas/Node' },
          free: { type: 'object', additionalProperties: true },
          // Either an Address or any object: breaking the Address leaves a body the second branch takes.
          gift: { anyOf: [{ $ref: '#/components/schemas/Address' }, { type: 'object', additionalProperties: true }] },
        },
      },
      Line: {
        type: 'object',
        required: ['sku', 'qty'],
        properties: {
          sku: { type: 'string', maxLength: 4 },
          qty: { type: 'integer', minimum: 1, maximum: 9 },
          kind: { $ref: '#/components/schemas/Colour' },
        },
      },
      Address: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, zip: { anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }] } } },
      Node: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, child: { $ref: '#/components/schemas/Node' } } },
      Order: { type: 'string', enum: ['asc', 'desc'] },
    },
  },
};

export const VALID_ORDER = { lines: [{ sku: 'ab', qty: 2, kind: 'red' }], meta: { team: 'e2e' }, tree: { name: 'root' }, gift: { city: 'Lyon' } };
