export { ERROR_CODES, type ErrorCode, type ErrorSpec } from './codes.js';
export { IesError, isIesError } from './ies-error.js';
export { toProblem, problemType, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem.js';
export { PROBLEM_SCHEMA_ID, problemDetailsSchema, problemResponses } from './problem-schema.js';
