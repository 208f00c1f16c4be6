/** The subset of JSON Schema (draft 7) that intent argument schemas use; any other keyword is passed through to ajv. */
export interface JSONSchema7 {
    type?: "object" | "string" | "number" | "integer" | "boolean" | "array" | "null" | Array<string>;
    description?: string;
    properties?: Record<string, JSONSchema7>;
    required?: string[];
    additionalProperties?: boolean | JSONSchema7;
    enum?: unknown[];
    const?: unknown;
    items?: JSONSchema7;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
    default?: unknown;
    [keyword: string]: unknown;
}
