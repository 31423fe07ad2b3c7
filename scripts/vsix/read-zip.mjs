// A minimal zip reader (stored and deflated entries, no zip64), enough to look inside a .vsix: the
// packaging script checks what vsce packed, and the tests unpack a package to run its worker.
import { inflateRawSync } from 'node:zlib';

/** The entries of a zip archive's central directory: path, method, sizes and local header offset. */
function* centralDirectory(buffer) {
    const endAt = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const count = buffer.readUInt16LE(endAt + 10);
    let at = buffer.readUInt32LE(endAt + 16);
    for (let i = 0; i < count; i++) {
        const nameLength = buffer.readUInt16LE(at + 28);
        yield {
            path: buffer.toString('utf8', at + 46, at + 46 + nameLength),
            method: buffer.readUInt16LE(at + 10),
            compressed: buffer.readUInt32LE(at + 20),
            size: buffer.readUInt32LE(at + 24),
            local: buffer.readUInt32LE(at + 42),
        };
        at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
    }
}

/** The names and sizes in a zip archive, read from its central directory (for checks and tests). */
export function listZip(buffer) {
    return [...centralDirectory(buffer)].map(({ path, compressed, size }) => ({ path, compressed, size }));
}

/** The entries of a zip archive (stored or deflated), as { path, data }. */
export function unzip(buffer) {
    return [...centralDirectory(buffer)].map(({ path, method, compressed, local }) => {
        const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
        const body = buffer.subarray(dataAt, dataAt + compressed);
        return { path, data: method === 0 ? Buffer.from(body) : inflateRawSync(body) };
    });
}
