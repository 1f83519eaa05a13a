using System.Text.Json;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// A document a query reads, with the key that orders its collection and marks where a page ended.
/// </summary>
/// <param name="Key">Unique in its collection; collections are handed out in ascending ordinal order of keys
/// (a twin's key is its device id).</param>
/// <param name="Document">The document as the service API shows it: compact and immutable (for twins, the record's
/// own <see cref="DeviceRecord.ServiceDocument"/>), so any number of queries read it at once.</param>
public readonly record struct QueryDocument(string Key, JsonElement Document);
