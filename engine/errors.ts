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
