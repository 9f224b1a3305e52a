// The mock responder: answers an operation from its description, without an upstream.
export { compileMock, type MockAnswer, type MockOptions, type MockResponder, type MockResult } from './compile.ts'
export { exampleFromSchema } from './example-from-schema.ts'
