using System.Text.Json;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.Emulator.Core;

/// <summary>Everything the hub keeps about one device: its identity and its twin (stored together, one row).</summary>
/// <param name="Identity">The registry entry.</param>
/// <param name="Twin">The twin.</param>
public sealed record DeviceRecord(DeviceIdentity Identity, TwinDocument Twin)
{
    // One per record: records are immutable and every write makes a new one, so the document never goes stale.
    // A box, so that publishing it is one reference write (a JsonElement is two fields) and racing builders are harmless.
    private Box? _serviceDocument;

    /// <summary>A copy for <c>with</c>: the copy's identity or twin differs, so it gets its own document.</summary>
    private DeviceRecord(DeviceRecord original)
    {
        Identity = original.Identity;
        Twin = original.Twin;
    }

    /// <summary>
    /// The twin as the service sees it (<see cref="TwinDocument.ToServiceDocument"/>): compact and immutable, built
    /// once per record — when the hub commits it (<see cref="Settled"/>) — and shared by <c>GET /twins</c>, queries, jobs' query conditions
    /// and configuration targeting. Any thread may read it.
    /// </summary>
    public JsonElement ServiceDocument => (_serviceDocument ??= new Box(Twin.ToServiceDocument(Identity))).Document;

    /// <summary>
    /// The record as the hub keeps it: its service document built, and its twin reading tags and sections from that
    /// document rather than from text of its own, so a stored twin is one compact text and nothing more.
    /// </summary>
    internal DeviceRecord Settled()
    {
        var document = ServiceDocument;
        return new DeviceRecord(Identity, Twin.SharingTextWith(document)) { _serviceDocument = _serviceDocument };
    }

    /// <summary>Records are equal when identity and twin are: the document is derived from them.</summary>
    public bool Equals(DeviceRecord? other)
        => other is not null && EqualityComparer<DeviceIdentity>.Default.Equals(Identity, other.Identity) && EqualityComparer<TwinDocument>.Default.Equals(Twin, other.Twin);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Identity, Twin);

    private sealed record Box(JsonElement Document);
}
