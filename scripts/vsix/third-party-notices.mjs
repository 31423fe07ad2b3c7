// ThirdPartyNotices.txt for the .vsix: every package whose code the esbuild bundles carry (read from
// their metafiles) and the onnxruntime packages copied beside them, each with its version, its
// licence as its package.json declares it and the licence text it ships. The extension is MIT; the
// bundles carry code under other licences (elkjs: EPL-2.0 OR GPL-3.0-or-later), whose terms ask
// that their notices travel with the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package folder (`node_modules/name` or `node_modules/@scope/name`, nested ones included) of a bundled input path. */
function packageFolder(input) {
    const parts = input.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) return undefined;
    const length = parts[at + 1]?.startsWith('@') ? 3 : 2;
    return parts.slice(0, at + length).join('/');
}

/** Every package folder whose files are inputs of these esbuild metafiles, plus `extra` folders. */
export function bundledPackages(metafiles, extra = []) {
    const folders = new Set(extra);
    for (const meta of metafiles) {
        for (const input of Object.keys(meta.inputs)) {
            const folder = packageFolder(input);
            if (folder !== undefined) folders.add(folder);
        }
    }
    return [...folders].map(folder => {
        const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
        const licenceFile = readdirSync(folder).filter(f => /^(licen[cs]e|copying|notice)/i.test(f)).sort()[0];
        const licence = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? (pkg.licenses ?? []).map(l => l.type).join(' OR ');
        return { name: pkg.name, version: pkg.version, licence: licence || 'UNKNOWN', text: licenceFile ? readFileSync(join(folder, licenceFile), 'utf8').trim() : undefined };
    }).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
        .filter((p, i, all) => i === 0 || p.name !== all[i - 1].name || p.version !== all[i - 1].version);
}

/** The notices file: a list, then each package's licence text. */
export function noticesText(packages) {
    const head = [
        'hyp is MIT-licensed (LICENSE). Its bundles and the onnxruntime files beside them contain these packages:',
        '',
        ...packages.map(p => `- ${p.name} ${p.version} (${p.licence})`),
    ];
    const bodies = packages.map(p => `${'='.repeat(80)}\n${p.name} ${p.version} (${p.licence})\n${'='.repeat(80)}\n\n${p.text ?? `(the package ships no licence file; its package.json declares ${p.licence})`}\n`);
    return `${head.join('\n')}\n\n${bodies.join('\n')}`;
}
