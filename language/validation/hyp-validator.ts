// The validation registry of the language: checks registered by AST type, each delegating to a
// small named check function of its topic file. The analysis (model, dataset, G) is shared.
import { AstUtils, type AstNode, type Cancellation, type ValidationAcceptor, type ValidationChecks } from 'langium';
import * as ast from '../generated/ast.js';
import type { HypServices } from '../hyp-module.js';
import { resolveHypothesis } from '../lowering/resolve-hypothesis.js';
import type { DocumentAnalysis, HypDocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { checkInputBindingType, checkInputBindings, checkLabel, checkLabelPresent, checkVocabulary } from './dataset-checks.js';
import { checkDeclaredFiles, checkDuplicateDeclarations, checkRequiredDeclarations } from './declaration-checks.js';
import { checkFeature, checkInputRefContext, checkPredicatePart } from './feature-checks.js';
import { checkDataAgainstModel } from './data-checks.js';
import { checkFeatureUniqueness } from './feature-uniqueness.js';
import { checkPlanSizes } from './plan-size-check.js';
import { checkGraphProblems, checkIndexPart, checkPartName, checkUnusedHooks } from './graph-checks.js';
import { checkEdges, checkExtendsCycle, checkInjective, checkInterpCycles, checkOutput, checkTarget, checkUnusedNodes } from './hypothesis-checks.js';
import { checkNumericPass } from './numeric-pass-checks.js';
import { checkFileNames, checkHypothesisNames, checkLambdaNames, checkSplitNames } from './name-checks.js';
import { checkDuplicateOptions, checkMetric, checkMetricPresent, checkRunOption } from './option-checks.js';

/** Registers the language's checks: the fast ones run while typing, the `slow` one evaluates features on the dataset. */
export function registerValidationChecks(services: HypServices): void {
    const registry = services.validation.ValidationRegistry;
    const validator = services.validation.HypValidator;
    const fast: ValidationChecks<ast.HypAstType> = {
        HypFile: validator.checkFile,
        DatasetDecl: validator.checkDataset,
        InputBinding: validator.checkInputBinding,
        LabelDecl: validator.checkLabel,
        VocabularyDecl: checkVocabulary,
        MetricDecl: validator.checkMetric,
        RunOption: checkRunOption,
        IndexPart: (p, accept) => { checkIndexPart(p, accept); checkPartName(p, accept); },
        PredicatePart: validator.checkPredicatePart,
        IndexSplit: checkSplitNames,
        PredicateSplit: checkSplitNames,
        Hypothesis: validator.checkHypothesis,
        InterpNode: validator.checkInterpNode,
        OutputStatement: validator.checkOutputStatement,
        Lambda: checkLambdaNames,
        InputRef: checkInputRefContext,
    };
    registry.register(fast, validator);
    // One analysis per validation run: the files' modification times are checked once, not per check.
    registry.registerBeforeDocument(root => validator.beginDocument(root), validator);
    registry.registerAfterDocument(() => validator.endDocument(), validator);
    registry.register<ast.HypAstType>({ HypFile: validator.checkFileSlow }, validator, 'slow');
}

export class HypValidator {
    private readonly analysis: HypDocumentAnalysis;

    constructor(services: HypServices) {
        this.analysis = services.workspace.HypDocumentAnalysis;
    }

    private current?: { root: AstNode; analysis: DocumentAnalysis };

    /** Analyses the document once before its checks run (they all share the result). */
    beginDocument(root: AstNode): void {
        this.current = { root, analysis: this.analysis.analyze(AstUtils.getDocument(root)) };
    }

    endDocument(): void {
        this.current = undefined;
    }

    private analyze(node: AstNode): DocumentAnalysis {
        const root = AstUtils.findRootNode(node);
        if (this.current?.root === root) return this.current.analysis;
        return this.analysis.analyze(AstUtils.getDocument(node));
    }

    checkFile(file: ast.HypFile, accept: ValidationAcceptor): void {
        const analysis = this.analyze(file);
        checkRequiredDeclarations(file, accept);
        checkDuplicateDeclarations(file, accept);
        checkDeclaredFiles(analysis, accept);
        checkFileNames(file, accept);
        checkGraphProblems(analysis, accept);
        checkUnusedHooks(file, accept);
        checkMetricPresent(file, accept);
        checkLabelPresent(file, accept);
        checkDuplicateOptions(file.elements, accept);
        checkNumericPass(file, analysis, accept);
    }

    async checkFileSlow(file: ast.HypFile, accept: ValidationAcceptor, token: Cancellation.CancellationToken): Promise<void> {
        const analysis = this.analyze(file);
        checkDataAgainstModel(analysis, accept);
        await checkFeatureUniqueness(analysis, accept, token);
        await checkPlanSizes(analysis, accept, token);
    }

    checkDataset(decl: ast.DatasetDecl, accept: ValidationAcceptor): void {
        checkInputBindings(decl, this.analyze(decl), accept);
    }

    checkInputBinding(b: ast.InputBinding, accept: ValidationAcceptor): void {
        checkInputBindingType(b, this.analyze(b), accept);
    }

    checkLabel(label: ast.LabelDecl, accept: ValidationAcceptor): void {
        checkLabel(label, this.analyze(label), accept);
    }

    checkMetric(metric: ast.MetricDecl, accept: ValidationAcceptor): void {
        checkMetric(metric, this.analyze(metric), accept);
    }

    checkPredicatePart(part: ast.PredicatePart, accept: ValidationAcceptor): void {
        checkPredicatePart(part, this.analyze(part), accept);
    }

    checkHypothesis(h: ast.Hypothesis, accept: ValidationAcceptor): void {
        const resolved = resolveHypothesis(h);
        checkHypothesisNames(h, accept);
        checkExtendsCycle(h, resolved, accept);
        checkOutput(h, resolved, accept);
        checkUnusedNodes(h, resolved, accept);
        checkInjective(h, resolved, accept);
        checkInterpCycles(h, resolved, accept);
        checkDuplicateOptions(h.members, accept);
    }

    checkInterpNode(node: ast.InterpNode, accept: ValidationAcceptor): void {
        const analysis = this.analyze(node);
        checkTarget(node, analysis, accept);
        checkEdges(node, analysis, accept);
        checkFeature(node, analysis, accept);
    }

    checkOutputStatement(output: ast.OutputStatement, accept: ValidationAcceptor): void {
        checkEdges(output, this.analyze(output), accept);
    }
}
