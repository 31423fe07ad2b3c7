// Errors are values with a location and a hint until they reach an edge (the CLI prints them, the
// language server publishes them): nothing prints a stack trace at a user.

export interface SourceLocation {
    file: string;
    /** 1-based. */
    line?: number;
    /** 1-based. */
    column?: number;
}

export class HypError extends Error {
    constructor(
        message: string,
        readonly code: string,
        readonly location?: SourceLocation,
        readonly hint?: string,
    ) {
        super(message);
        this.name = 'HypError';
    }

    /** `file:line:col: error code: message (hint)`, the format every edge prints. */
    format(): string {
        const where = this.location
            ? `${this.location.file}${this.location.line !== undefined ? `:${this.location.line}` : ''}${this.location.column !== undefined ? `:${this.location.column}` : ''}: `
            : '';
        return `${where}error ${this.code}: ${this.message}${this.hint ? ` (${this.hint})` : ''}`;
    }
}

export function isHypError(e: unknown): e is HypError {
    return e instanceof HypError;
}

/** An error as it crosses a process or thread boundary: plain fields. */
export interface ErrorFields {
    message: string;
    code: string;
    hint?: string;
    file?: string;
    line?: number;
}

/** The engine's located error as fields, or a JavaScript error's message (and code, if it has one). */
export function errorFields(e: unknown): ErrorFields {
    if (isHypError(e)) {
        return { message: e.message, code: e.code, ...(e.hint && { hint: e.hint }), ...(e.location && { file: e.location.file, line: e.location.line }) };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    return { message: err.message, code: (err as { code?: unknown }).code === undefined ? 'internal' : String((err as { code?: unknown }).code) };
}

/** The HypError that `errorFields` described. */
export function fromErrorFields(f: ErrorFields): HypError {
    return new HypError(f.message, f.code, f.file === undefined ? undefined : { file: f.file, line: f.line }, f.hint);
}
