// Values of terminals: a string whose closing quote is missing (HypLexer reports it) is its text
// after the opening quote up to a comment, so that `model "toy.onnx` still names toy.onnx while the
// quote is typed and the missing quote is the one error.
import { DefaultValueConverter, ValueConverter, type CstNode, type GrammarAST, type ValueType } from 'langium';
import { isTerminatedString, unclosedStringText } from './hyp-lexer.js';

export class HypValueConverter extends DefaultValueConverter {
    protected override runConverter(rule: GrammarAST.AbstractRule, input: string, cstNode: CstNode): ValueType {
        if (rule.name === 'STRING' && !isTerminatedString(input)) {
            const text = unclosedStringText(input);
            return ValueConverter.convertString(`${text}${text[0]}`);
        }
        return super.runConverter(rule, input, cstNode);
    }
}
