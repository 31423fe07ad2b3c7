// The workspace is the documents the client opens. .hyp files never refer to each other, so
// indexing the workspace folders finds nothing to link; loading them at startup read every file's
// model and dataset and published diagnostics for files nobody had opened, which closing a file
// then clears: a file that is not open is not the server's to report.
import { DefaultWorkspaceManager, type URI } from 'langium';

export class HypWorkspaceManager extends DefaultWorkspaceManager {
    protected override async traverseFolder(_folder: URI, _uris: URI[]): Promise<void> {
        // Nothing to load: the client opens what is to be checked.
    }
}
