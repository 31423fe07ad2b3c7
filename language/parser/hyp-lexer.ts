// The lexer: Langium's, plus one located error per string whose closing quote is missing. The
// STRING terminal accepts such a string up to the end of its line, so that one missing quote is
// one diagnostic where it is missing rather than a string swallowing the lines after it.
import { DefaultLexer, type LexerResult, type TokenizeOptions } from 'langium';

/** Whether a STRING token's text has its closing quote (an escaped quote does not close it). */
export function isTerminatedString(image: string): boolean {
    if (image.length < 2 || image[image.length - 1] !== image[0]) return false;
    let backslashes = 0;
    for (let i = image.length - 2; i > 0 && image[i] === '\\'; i--) backslashes++;
    return backslashes % 2 === 0;
}

/**
 * The part of an unclosed string's token that the user meant as the string: up to a `//` comment
 * on the same line (the token runs to the end of the line), without trailing spaces.
 */
export function unclosedStringText(image: string): string {
    const comment = /\s+\/\//.exec(image);
    return (comment ? image.slice(0, comment.index) : image).trimEnd();
}

export class HypLexer extends DefaultLexer {
    override tokenize(text: string, options?: TokenizeOptions): LexerResult {
        const result = super.tokenize(text, options);
        for (const token of result.tokens) {
            if (token.tokenType.name !== 'STRING' || isTerminatedString(token.image)) continue;
            result.errors.push({
                offset: token.startOffset,
                length: unclosedStringText(token.image).length,
                line: token.startLine,
                column: token.startColumn,
                message: `this string is not closed: add the closing ${token.image[0]} (a string ends on its line)`,
            });
        }
        return result;
    }
}
