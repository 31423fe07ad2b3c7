// Sizes as people write them (`2G`, `512M`, or a number of MiB), shared by the CLI's
// --memory-budget and --device-memory and the editor's hyp.deviceMemory setting.

/** `value` in bytes, or undefined where it is not such a size (or not above zero). */
export function parseByteSize(value: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)([GM]?)i?B?$/i.exec(value.trim());
    if (!m || Number(m[1]) <= 0) return undefined;
    return Number(m[1]) * 1024 ** (m[2].toUpperCase() === 'G' ? 3 : 2);
}
