// placeholder replaced below
import type { ValidationAcceptor } from 'langium';
import type { DocumentAnalysis } from '../workspace/hyp-document-analysis.js';
export function checkFeatureUniqueness(_analysis: DocumentAnalysis, _accept: ValidationAcceptor): void {}
