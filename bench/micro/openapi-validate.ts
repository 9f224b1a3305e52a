// Cost of request validation on the gateway's hot path, in ns per validate() call: a GET with two
// query parameters, a POST with a JSON body of about 1 kB, and (for scale) JSON.parse of that
// body alone, which the POST figure includes.
// Run: node bench/micro/openapi-validate.ts [iterations]
import type { OperationModel } from '../../src/openapi/model.ts'
import { compileRequestValidator, createSpecAjv, type RequestParts } from '../../src/openapi/validation/index.ts'

const iterations = Number(process.argv[2] ?? 500_000)
const ajv = createSpecAjv()

const listOrders: OperationModel = {
  method: 'GET',
  pathTemplate: '/v1/orders',
  deprecated: false,
  security: [],
  responses: [],
  pointer: '#/paths/~1v1~1orders/get',
  parameters: [
    { name: 'limit', in: 'query', required: false, style: 'form', explode: true, allowReserved: false, allowEmptyValue: false, schema: { type: 'integer', minimum: 1, maximum: 100 }, pointer: '#/p/0' },
    { name: 'status', in: 'query', required: false, style: 'form', explode: true, allowReserved: false, allowEmptyValue: false, schema: { type: 'string', enum: ['open', 'paid', 'shipped'] }, pointer: '#/p/1' },
  ],
}

const item = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'quantity', 'price'],
  properties: {
    sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
    quantity: { type: 'integer', minimum: 1 },
    price: { type: 'number', minimum: 0 },
    note: { type: 'string', maxLength: 200 },
  },
}
const createOrder: OperationModel = {
  method: 'POST',
  pathTemplate: '/v1/orders',
  deprecated: false,
  security: [],
  responses: [],
  pointer: '#/paths/~1v1~1orders/post',
  parameters: [],
  requestBody: {
    required: true,
    pointer: '#/paths/~1v1~1orders/post/requestBody',
    content: {
      'application/json': {
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['customer', 'items'],
          properties: {
            id: { type: 'string', readOnly: true },
            customer: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' }, name: { type: 'string' } } },
            items: { type: 'array', minItems: 1, items: item },
            coupon: { type: 'string' },
          },
        },
      },
    },
  },
}

const body = Buffer.from(JSON.stringify({
  customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
  items: Array.from({ length: 12 }, (_, i) => ({ sku: `ABC-${1000 + i}`, quantity: i + 1, price: 9.99 + i, note: 'gift wrap please' })),
  coupon: 'SPRING',
}))

const getParts: RequestParts = { method: 'GET', pathParams: {}, query: 'limit=20&status=open', headers: { host: 'api.example.com', accept: 'application/json' }, body: undefined }
const postParts: RequestParts = { method: 'POST', pathParams: {}, query: '', headers: { host: 'api.example.com', 'content-type': 'application/json' }, body }

// The iterations run in rounds; the best and the median round are shown, because on a shared
// machine a round can lose the CPU to other work. Time is this process's CPU time (user + system).
const rounds = 7

function measure(name: string, run: () => number): void {
  let sink = 0
  for (let i = 0; i < Math.min(iterations, 100_000); i++) sink += run() // warm-up: let V8 optimise
  const perRound = Math.ceil(iterations / rounds)
  const figures: number[] = []
  for (let r = 0; r < rounds; r++) {
    const before = process.cpuUsage()
    for (let i = 0; i < perRound; i++) sink += run()
    const used = process.cpuUsage(before)
    figures.push(((used.user + used.system) * 1000) / perRound)
  }
  figures.sort((a, b) => a - b)
  const best = figures[0].toFixed(0).padStart(6)
  const median = figures[rounds >> 1].toFixed(0).padStart(6)
  console.log(`${name.padEnd(44)} best ${best} ns/op, median ${median} ns/op${sink < 0 ? ' ' : ''}`)
}

const getValidator = compileRequestValidator(listOrders, { ajv })
const postValidator = compileRequestValidator(createOrder, { ajv })
for (const [name, issues] of [['GET', getValidator.validate(getParts)], ['POST', postValidator.validate(postParts)]] as const) {
  if (issues.length > 0) throw new Error(`${name} sample is not valid: ${JSON.stringify(issues)}`)
}

console.log(`${iterations} iterations; POST body ${body.length} bytes`)
measure('GET, 2 query parameters (limit, status)', () => getValidator.validate(getParts).length)
measure('GET, 2 query parameters, one invalid', () => getValidator.validate({ ...getParts, query: 'limit=abc&status=open' }).length)
measure('POST, ~1 kB JSON body', () => postValidator.validate(postParts).length)
measure('  of which JSON.parse of the body', () => (JSON.parse(body.toString('utf8')) as { items: unknown[] }).items.length)
