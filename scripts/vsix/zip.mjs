// A minimal zip writer (deflate, no zip64), enough for a .vsix: VS Code reads it with yauzl.
// Written here rather than pulled in with @vscode/vsce, whose dependency tree every `npm ci` would pay for.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** The zip archive of `entries` (paths with forward slashes), as one buffer. */
export function zip(entries) {
    const locals = [];
    const central = [];
    let offset = 0;
    const { time, date } = dosDateTime(new Date());
    for (const { path, data } of entries) {
        const name = Buffer.from(path, 'utf8');
        const compressed = deflateRawSync(data, { level: 9 });
        // Already-compressed data (the native library compresses well, but some files may not): store what is smaller.
        const stored = compressed.length >= data.length;
        const body = stored ? data : compressed;
        const crc = crc32(data);
        const header = Buffer.alloc(30);
        header.writeUInt32LE(0x04034b50, 0);
        header.writeUInt16LE(20, 4);
        header.writeUInt16LE(0x0800, 6); // UTF-8 names
        header.writeUInt16LE(stored ? 0 : 8, 8);
        header.writeUInt16LE(time, 10);
        header.writeUInt16LE(date, 12);
        header.writeUInt32LE(crc, 14);
        header.writeUInt32LE(body.length, 18);
        header.writeUInt32LE(data.length, 22);
        header.writeUInt16LE(name.length, 26);
        header.writeUInt16LE(0, 28);
        locals.push(header, name, body);
        const entry = Buffer.alloc(46);
        entry.writeUInt32LE(0x02014b50, 0);
        entry.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is read
        entry.writeUInt16LE(20, 6);
        entry.writeUInt16LE(0x0800, 8);
        entry.writeUInt16LE(stored ? 0 : 8, 10);
        entry.writeUInt16LE(time, 12);
        entry.writeUInt16LE(date, 14);
        entry.writeUInt32LE(crc, 16);
        entry.writeUInt32LE(body.length, 20);
        entry.writeUInt32LE(data.length, 24);
        entry.writeUInt16LE(name.length, 28);
        entry.writeUInt32LE((0o100644 << 16) >>> 0, 38);
        entry.writeUInt32LE(offset, 42);
        central.push(entry, name);
        offset += header.length + name.length + body.length;
    }
    const centralSize = central.reduce((n, b) => n + b.length, 0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(centralSize, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, ...central, end]);
}

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

function dosDateTime(d) {
    return {
        time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
        date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    };
}

/** The entries of a zip archive written by `zip` (stored or deflated), as { path, data }. */
export function unzip(buffer) {
    return [...centralDirectory(buffer)].map(({ path, method, compressed, local }) => {
        const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
        const body = buffer.subarray(dataAt, dataAt + compressed);
        return { path, data: method === 0 ? Buffer.from(body) : inflateRawSync(body) };
    });
}
