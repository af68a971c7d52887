import type { OpenApiDocument } from '../api/contract';

/** A small OpenAPI 3.1 document in FastAPI's style: $refs into components, "X | null" as anyOf. */
export const DOC: OpenApiDocument = {
  openapi: '3.1.0',
  paths: {
    '/v1/things': {
      get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingList' } } } } } },
      post: {
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThing' } } } },
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          '422': { content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } } },
        },
      },
    },
    '/v1/things/{thing_id}': {
      get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } } },
    },
    '/v1/things/special': {
      get: { responses: { '200': { content: { 'application/json': { schema: {} } } } } },
    },
    '/images/{image_id}.png': { get: { responses: { '200': { content: { 'application/json': { schema: {} } } } } } },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        title: 'Thing',
        required: ['id', 'object', 'size'],
        properties: {
          id: { type: 'string' },
          object: { const: 'thing' },
          size: { type: 'integer', minimum: 0 },
          note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        },
      },
      ThingList: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } },
      CreateThing: {
        type: 'object',
        title: 'CreateThing',
        required: ['name', 'size'],
        properties: {
          name: { type: 'string', maxLength: 8 },
          size: { anyOf: [{ type: 'integer', minimum: 1, maximum: 10 }, { type: 'null' }] },
          colour: { $ref: '#/components/schemas/Colour' },
          tags: { type: 'array', items: { type: 'string' } },
          extra: { type: 'object', additionalProperties: true },
          anything: {},
        },
      },
      Colour: { type: 'string', enum: ['red', 'green'] },
      HTTPValidationError: { type: 'object', properties: { detail: { type: 'array' } } },
    },
  },
};

export const VALID_THING = { id: 't1', object: 'thing', size: 3, note: null };
export const VALID_CREATE = { name: 'box', size: 2, colour: 'red', tags: ['a'] };
