// Hand-built operation models for the validation tests, with the defaults OpenAPI 3 gives.
import type { JsonSchema, MediaTypeModel, OperationModel, ParameterModel, ResponseModel } from '../model.ts'
import type { RequestParts } from './types.ts'

type ParameterInput = Partial<ParameterModel> & Pick<ParameterModel, 'name' | 'in' | 'schema'>

export function parameter(input: ParameterInput): ParameterModel {
  const formByDefault = input.in === 'query' || input.in === 'cookie'
  return {
    required: input.in === 'path',
    style: formByDefault ? 'form' : 'simple',
    explode: (input.style ?? (formByDefault ? 'form' : 'simple')) === 'form',
    allowReserved: false,
    allowEmptyValue: false,
    pointer: `#/paths/~1things/get/parameters/${input.name}`,
    ...input,
  }
}

export function operation(input: Partial<OperationModel> = {}): OperationModel {
  return {
    method: 'GET',
    pathTemplate: '/things',
    deprecated: false,
    parameters: [],
    responses: [],
    security: [],
    pointer: '#/paths/~1things/get',
    ...input,
  }
}

export function jsonBody(schema: JsonSchema, required = true, range = 'application/json'): OperationModel['requestBody'] {
  return { required, content: { [range]: { schema } }, pointer: '#/paths/~1things/post/requestBody' }
}

export function response(status: string, content: Record<string, MediaTypeModel> = {}): ResponseModel {
  return { status, description: status, headers: {}, content }
}

export function request(parts: Partial<RequestParts> = {}): RequestParts {
  return { method: 'GET', pathParams: {}, query: '', headers: {}, body: undefined, ...parts }
}

export function jsonRequest(body: unknown, contentType = 'application/json'): RequestParts {
  return request({ method: 'POST', headers: { 'content-type': contentType }, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) })
}
