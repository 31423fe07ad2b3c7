// The files a hypothesis file declares: exactly one model and one dataset, at most one features
// module, each readable. A file that cannot be loaded is reported on its declaration's path.
import type { ValidationAcceptor } from 'langium';
import * as ast from '../generated/ast.js';
import type { DeclaredFile, DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
import { IssueCodes } from './issue-codes.js';

/** A file needs one `model` and one `dataset` declaration. */
export function checkRequiredDeclarations(file: ast.HypFile, accept: ValidationAcceptor): void {
    const first = file.elements[0] ?? file;
    if (!file.elements.some(ast.isModelDecl)) {
        accept('error', 'a hypothesis file needs a model: add `model "file.onnx"`', { node: first, code: IssueCodes.ModelMissing });
    }
    if (!file.elements.some(ast.isDatasetDecl)) {
        accept('error', 'a hypothesis file needs a dataset: add `dataset "file.jsonl" { input … label … }`', { node: first, code: IssueCodes.DatasetMissing });
    }
}

/** `model`, `dataset`, `features`, `graph` and `metric` may each appear once. */
export function checkDuplicateDeclarations(file: ast.HypFile, accept: ValidationAcceptor): void {
    const kinds: [string, (e: ast.Element) => boolean][] = [
        ['model', ast.isModelDecl], ['dataset', ast.isDatasetDecl], ['features', ast.isFeaturesDecl],
        ['graph', ast.isGraphDecl], ['metric', ast.isMetricDecl],
    ];
    for (const [keyword, is] of kinds) {
        for (const extra of file.elements.filter(is).slice(1)) {
            accept('error', `\`${keyword}\` is declared more than once; keep one`, { node: extra, keyword, code: IssueCodes.DeclarationDuplicate });
        }
    }
}

/** Each declared file resolves and loads (a file still being read in the background is checked again once it is in). */
export function checkDeclaredFiles(analysis: DocumentAnalysis, accept: ValidationAcceptor): void {
    report(analysis.model, 'model', IssueCodes.ModelUnreadable, accept);
    if (analysis.model && analysis.deriveError !== undefined) {
        accept('error', `cannot load the model: ${analysis.deriveError}`, { node: analysis.model.decl, property: 'path', code: IssueCodes.ModelUnreadable });
    }
    report(analysis.dataset, 'dataset', IssueCodes.DatasetUnreadable, accept);
    report(analysis.features, 'features module', IssueCodes.FeaturesUnreadable, accept);
}

function report(declared: DeclaredFile<ast.ModelDecl | ast.DatasetDecl | ast.FeaturesDecl, unknown> | undefined,
    what: string, code: string, accept: ValidationAcceptor): void {
    if (!declared) return;
    const { decl, loaded } = declared;
    if (loaded === undefined) {
        accept('warning', `cannot resolve "${decl.path}": the document is not a file on disk, so the ${what} is not checked`,
            { node: decl, property: 'path', code: IssueCodes.PathUnresolved });
    } else if (!loaded.ok && !loaded.pending) {
        accept('error', `cannot load the ${what}: ${loaded.error}`, { node: decl, property: 'path', code });
    }
}
