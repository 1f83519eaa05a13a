using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>Raised after a write changed a twin's desired properties (and was stored).</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Patch">What devices receive: the patch (or whole desired document after a replace) with <c>$version</c>.</param>
/// <param name="Version">The new desired <c>$version</c>.</param>
public sealed record DesiredPropertiesChange(string DeviceId, JsonObject Patch, long Version);

/// <summary>
/// Device twins: read, service-side update (merge) and replace, device-side reported patches, and a snapshot of
/// all twins for queries. Every change goes through <see cref="TwinDocument"/> and so through <see cref="TwinMerge"/>.
/// </summary>
public sealed class TwinStore(HubState hub, ILogger<TwinStore>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// Raised after every committed change of desired properties, in commit order. Handlers run under the hub's
    /// lock: they must only hand the change on (for example to a queue), never block or call back into the hub.
    /// Each handler gets its own copy of the patch.
    /// </summary>
    public event Action<DesiredPropertiesChange>? DesiredPropertiesChanged;

    /// <summary>The twin as the service API returns it; <c>DeviceNotFound</c> when there is no such device.</summary>
    public JsonObject Get(string deviceId)
        => hub.Read(v =>
        {
            var record = v.Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId);
            return JsonObject.Create(record.ServiceDocument)!;
        });

    /// <summary>The twin as a device reads it (desired and reported with <c>$version</c>, no metadata).</summary>
    public JsonObject GetForDevice(string deviceId)
        => hub.Read(v => (v.Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId)).Twin.ToDeviceJson());

    /// <summary>Merges tags and desired properties (REST PATCH); returns the new twin.</summary>
    public JsonObject Update(string deviceId, TwinWrite write, ETagCondition ifMatch)
        => WriteService(deviceId, ifMatch, (twin, now) => (twin.WithServicePatch(write, now, out var change), change));

    /// <summary>Replaces tags and/or desired properties (REST PUT); returns the new twin.</summary>
    public JsonObject Replace(string deviceId, TwinWrite write, ETagCondition ifMatch)
        => WriteService(deviceId, ifMatch, (twin, now) => (twin.WithServiceReplace(write, now, out var change), change));

    /// <summary>
    /// Stages a service PATCH (tags and desired properties) of one twin into a transaction the caller runs, such
    /// as one batch of a job: the same rules as <see cref="Update"/>, and the device notification once the
    /// transaction commits. The caller puts the returned twin.
    /// </summary>
    /// <exception cref="HubException">The patch breaks a twin limit (<c>ArgumentInvalid</c>).</exception>
    public TwinDocument StageServicePatch(HubState.HubTransaction tx, string deviceId, TwinDocument twin, TwinWrite write)
    {
        var updated = twin.WithServicePatch(write, tx.Now, out var change);
        if (change is not null) tx.OnCommitted(() => RaiseDesiredChanged(deviceId, change));
        return updated;
    }

    /// <summary>Merges a device's reported-properties patch; returns the new reported <c>$version</c>.</summary>
    public long UpdateReported(string deviceId, JsonObject patch)
        => hub.Write(tx =>
        {
            var record = tx.Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId);
            var twin = record.Twin.WithReportedPatch(patch, tx.Now);
            tx.Put(record with { Twin = twin });
            return twin.Reported.Version;
        });

    /// <summary>
    /// Records the IoT Plug and Play model id a device announced when it connected (MQTT <c>model-id</c>), as the
    /// twin's <c>modelId</c>. Stored only when it changes; the twin's version and etag stay (it is not a twin write).
    /// </summary>
    public void SetModelId(string deviceId, string modelId)
        => hub.Write(tx =>
        {
            if (tx.Find(deviceId) is not { } record || record.Twin.ModelId == modelId) return false;
            tx.Put(record with { Twin = record.Twin with { ModelId = modelId } });
            return true;
        });

    /// <summary>Every twin as the service sees it, in device-id order (the source for queries).</summary>
    public IReadOnlyList<JsonObject> Snapshot()
        => hub.Read(v => v.Devices.Select(r => JsonObject.Create(r.ServiceDocument)!).ToList());

    private JsonObject WriteService(string deviceId, ETagCondition ifMatch,
        Func<TwinDocument, DateTimeOffset, (TwinDocument Twin, DesiredChange? Change)> apply)
        => hub.Write(tx =>
        {
            var record = tx.Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId);
            ifMatch.Verify(record.Twin.ETag, $"the twin of device {deviceId}");
            var (twin, change) = apply(record.Twin, tx.Now);
            var updated = record with { Twin = twin };
            tx.Put(updated);
            if (change is not null) tx.OnCommitted(() => RaiseDesiredChanged(deviceId, change));
            return JsonObject.Create(updated.ServiceDocument)!;
        });

    /// <summary>
    /// Announces a desired change another writer (bulk registry, jobs) staged in <paramref name="tx"/>, once the
    /// transaction is stored, the same way this store's own writes are announced.
    /// </summary>
    internal void AnnounceDesiredChange(HubState.HubTransaction tx, string deviceId, DesiredChange change)
        => tx.OnCommitted(() => RaiseDesiredChanged(deviceId, change));

    private void RaiseDesiredChanged(string deviceId, DesiredChange change)
    {
        if (DesiredPropertiesChanged is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<DesiredPropertiesChange>>())
        {
            // One failing listener must not keep the others (say, another transport) from hearing of the change.
            try { handler(new DesiredPropertiesChange(deviceId, (JsonObject)change.Patch.DeepClone(), change.Version)); }
            catch (Exception ex) { _logger.LogError(ex, "A desired-properties listener failed for device {DeviceId}.", deviceId); }
        }
    }
}
