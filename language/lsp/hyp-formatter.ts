// Formatting: one declaration or member per line, blocks indented, one space around `->`, `=`,
// `<-` and binary operators, `a, b` lists, tight brackets and calls. Blank lines the author put
// between declarations are kept (at most one); comments stay where they are.
import { type AstNode } from 'langium';
import { AbstractFormatter, Formatting, type NodeFormatter } from 'langium/lsp';
import * as ast from '../generated/ast.js';

const keepBlank = Formatting.fit(Formatting.newLine(), Formatting.newLines(2));

const LEADING_KEYWORDS: Record<string, string> = {
    ModelDecl: 'model', FeaturesDecl: 'features', DatasetDecl: 'dataset', InputBinding: 'input', LabelDecl: 'label',
    HookPoint: 'node', InterpNode: 'node', Hypothesis: 'hypothesis', MetricDecl: 'metric', SamplesOption: 'samples',
    SeedOption: 'seed', UnimportantOption: 'unimportant', AblationOption: 'ablation', InputSplit: 'split',
};

export class HypFormatter extends AbstractFormatter {
    protected format(node: AstNode): void {
        this.formatLeadingKeyword(node);
        if (ast.isHypFile(node)) this.formatFile(node);
        else if (ast.isDatasetDecl(node) || ast.isGraphDecl(node) || ast.isHypothesis(node)) this.formatBlock(node);
        else if (ast.isInterpNode(node)) this.formatInterpNode(node);
        else if (ast.isOutputStatement(node)) this.commas(this.getNodeFormatter(node), '<-');
        else if (ast.isInputBinding(node)) this.getNodeFormatter(node).keyword('=').surround(Formatting.oneSpace());
        else if (ast.isVocabularyDecl(node) || ast.isIndexSplit(node) || ast.isPredicateSplit(node) || ast.isSubspaceSplit(node)) this.formatInlineBraces(node);
        else if (ast.isIndexPart(node) || ast.isPredicatePart(node) || ast.isVocabularyEntry(node) || ast.isSubspacePart(node)) this.formatColon(node);
        else if (ast.isVector(node)) this.formatBrackets(this.getNodeFormatter(node));
        else if (ast.isHookPoint(node)) {
            const f = this.getNodeFormatter(node);
            f.keyword('=').surround(Formatting.oneSpace());
            f.keyword('split').surround(Formatting.oneSpace());
        } else if (ast.isThroughSplit(node)) this.getNodeFormatter(node).keyword('through').append(Formatting.oneSpace());
        else if (ast.isMetricDecl(node)) this.formatParens(this.getNodeFormatter(node), true);
        else if (ast.isExpression(node) || ast.isLambda(node)) this.formatExpression(node);
    }

    /** `model "x"`, `node a`, `label y`, `samples 3`: one space after the statement's keyword. */
    private formatLeadingKeyword(node: AstNode): void {
        const keyword = LEADING_KEYWORDS[node.$type];
        if (keyword) this.getNodeFormatter(node).keyword(keyword).append(Formatting.oneSpace());
    }

    private formatFile(file: ast.HypFile): void {
        const f = this.getNodeFormatter(file);
        file.elements.forEach((e, i) => {
            const region = f.node(e);
            if (i === 0) region.prepend(Formatting.noIndent());
            else region.prepend(Formatting.fit(keepBlank, Formatting.noIndent()));
        });
    }

    private formatBlock(node: ast.DatasetDecl | ast.GraphDecl | ast.Hypothesis): void {
        const f = this.getNodeFormatter(node);
        const open = f.keyword('{');
        const close = f.keyword('}');
        open.prepend(Formatting.oneSpace());
        const members: AstNode[] = node.members;
        if (members.length === 0) {
            close.prepend(Formatting.oneSpace());
            return;
        }
        f.interior(open, close).prepend(Formatting.indent());
        for (const [i, m] of members.entries()) {
            if (i > 0) f.node(m).prepend(Formatting.indent({ allowMore: true }));
        }
        close.prepend(Formatting.newLine());
        if (ast.isHypothesis(node) && node.base) f.keyword('extends').surround(Formatting.oneSpace());
    }

    private formatInterpNode(node: ast.InterpNode): void {
        const f = this.getNodeFormatter(node);
        f.keyword('->').surround(Formatting.oneSpace());
        if (node.feature) f.keyword('=').surround(Formatting.oneSpace());
        this.commas(f, '<-');
    }

    /** `<- a, b`: one space after the arrow (at least one before it: aligned arrows stay aligned), none before a comma, one after. */
    private commas(f: NodeFormatter<ast.InterpNode> | NodeFormatter<ast.OutputStatement>, arrow: string): void {
        f.keyword(arrow).prepend(Formatting.spaces(1, { allowMore: true })).append(Formatting.oneSpace());
        f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
    }

    private formatInlineBraces(node: ast.VocabularyDecl | ast.IndexSplit | ast.PredicateSplit | ast.SubspaceSplit): void {
        const f = this.getNodeFormatter(node);
        f.keyword('{').surround(Formatting.oneSpace());
        f.keyword('}').prepend(Formatting.oneSpace());
        f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        if (ast.isPredicateSplit(node)) this.formatParens(f, false);
    }

    private formatColon(node: ast.IndexPart | ast.PredicatePart | ast.VocabularyEntry | ast.SubspacePart): void {
        const f = this.getNodeFormatter(node);
        f.keyword(':').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        if (ast.isIndexPart(node) || ast.isSubspacePart(node)) this.formatBrackets(f);
        // `v: "dirs.json" at "key"`
        if (ast.isSubspacePart(node) && node.key !== undefined) f.keyword('at').surround(Formatting.oneSpace());
    }

    /** `[a, b]`: no space inside the brackets or before a comma, one after. */
    private formatBrackets(f: NodeFormatter<AstNode>): void {
        f.keyword('[').append(Formatting.noSpace());
        f.keyword(']').prepend(Formatting.noSpace());
        f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
    }

    private formatParens(f: NodeFormatter<AstNode>, tightBefore: boolean): void {
        const open = f.keywords('(');
        if (tightBefore) open.prepend(Formatting.noSpace());
        open.append(Formatting.noSpace());
        f.keywords(')').prepend(Formatting.noSpace());
        f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
    }

    private formatExpression(node: ast.Expression | ast.Lambda): void {
        const f = this.getNodeFormatter(node);
        if (ast.isBinaryExpr(node)) f.property('op').surround(Formatting.oneSpace());
        else if (ast.isConditionalExpr(node)) f.keywords('if', 'else').surround(Formatting.oneSpace());
        else if (ast.isUnaryExpr(node)) f.property('op').append(node.op === 'not' ? Formatting.oneSpace() : Formatting.noSpace());
        else if (ast.isCallExpr(node)) this.formatParens(f, true);
        else if (ast.isListExpr(node)) {
            f.keyword('[').append(Formatting.noSpace());
            f.keyword(']').prepend(Formatting.noSpace());
            f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        } else if (ast.isSubscript(node)) {
            f.keyword('[').surround(Formatting.noSpace());
            f.keyword(']').prepend(Formatting.noSpace());
            f.keywords(':').surround(Formatting.noSpace());
        } else if (ast.isLambda(node)) {
            f.keyword('=>').surround(Formatting.oneSpace());
            this.formatParens(f, false);
        } else if (ast.isInputRef(node)) {
            f.keyword('.').surround(Formatting.noSpace());
        }
    }
}
