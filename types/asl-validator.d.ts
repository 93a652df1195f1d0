// asl-validator ships no types; this is the part of its API the tests use.
declare module 'asl-validator' {
  export interface AslValidationError {
    'Error code': string;
    Message: string;
  }
  export default function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslValidationError[] };
}
