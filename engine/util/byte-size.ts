// Sizes as people write them (`2G`, `512M`, or a number of MiB), shared by the CLI's
// --memory-budget and --device-memory and the editor's hyp.deviceMemory setting.

/** `value` in bytes, or undefined where it is not such a size (or not above zero). */
export function parseByteSize(value: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)([GM]?)i?B?$/i.exec(value.trim());
    if (!m || Number(m[1]) <= 0) return undefined;
    return Number(m[1]) * 1024 ** (m[2].toUpperCase() === 'G' ? 3 : 2);
}

/** Bytes as a person reads them: `1.5 GiB`, `320 MiB`, `48 KiB`. */
export function formatByteSize(bytes: number): string {
    if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
    if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MiB`;
    return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}
