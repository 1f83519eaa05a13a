using IotLabKit.Emulator.Core.Twins;

namespace IotLabKit.Emulator.Core.Devices;

/// <summary>Device counts as <c>GET /statistics/devices</c> reports them.</summary>
public sealed record RegistryStatistics(long TotalDeviceCount, long EnabledDeviceCount, long DisabledDeviceCount);

/// <summary>Connection counts as <c>GET /statistics/service</c> reports them.</summary>
public sealed record ServiceStatistics(long ConnectedDeviceCount);

/// <summary>
/// The identity registry: create, read, update and delete devices, and count them. Knows nothing of HTTP;
/// errors are <see cref="HubException"/>s.
/// </summary>
public sealed class DeviceRegistry(HubState hub)
{
    /// <summary>The largest page <see cref="List"/> returns, and what out-of-range values become.</summary>
    public const int MaxListCount = 1000;

    /// <summary>
    /// Creates the device, or updates it when <paramref name="ifMatch"/> is present (IoT Hub's PUT rule:
    /// no If-Match means "create", and an existing id is then a conflict).
    /// </summary>
    /// <param name="deviceId">The id from the request path.</param>
    /// <param name="settings">What the body asks for.</param>
    /// <param name="ifMatch">The request's precondition.</param>
    /// <param name="created">True when a device was created.</param>
    public DeviceIdentity CreateOrUpdate(string deviceId, DeviceSettings settings, ETagCondition ifMatch, out bool created)
    {
        DeviceValidator.RequireValidDeviceId(deviceId);
        if (settings.DeviceId is not null && !string.Equals(settings.DeviceId, deviceId, StringComparison.Ordinal))
            throw HubException.Invalid($"The deviceId in the body ('{settings.DeviceId}') does not match the device id in the request path ('{deviceId}').");
        var isCreate = !ifMatch.IsPresent;
        created = isCreate;
        return hub.Write(tx =>
        {
            var existing = tx.Find(deviceId);
            var now = tx.Now;
            if (isCreate)
            {
                if (existing is not null) throw HubException.DeviceAlreadyExists(deviceId);
                var identity = NewIdentity(tx, deviceId, settings);
                tx.Put(new DeviceRecord(identity, TwinDocument.Create(now)));
                return identity;
            }
            if (existing is null) throw HubException.DeviceNotFound(deviceId);
            ifMatch.Verify(existing.Identity.ETag, $"device {deviceId}");
            var updated = UpdatedIdentity(tx, existing.Identity, settings);
            tx.Put(existing with { Identity = updated });
            return updated;
        });
    }

    /// <summary>The identity of a new device (keys generated when absent); the one rule for every way of creating one.</summary>
    internal static DeviceIdentity NewIdentity(HubState.HubTransaction tx, string deviceId, DeviceSettings settings) => new()
    {
        DeviceId = deviceId,
        GenerationId = tx.NextGenerationId(),
        ETagCounter = tx.NextDeviceETag(),
        Status = settings.Status,
        StatusReason = settings.StatusReason,
        StatusUpdatedTime = tx.Now,
        Authentication = WithGeneratedKeys(settings.Authentication),
        IotEdge = settings.IotEdge,
    };

    /// <summary>
    /// An existing identity with the writable members replaced (disabling it revokes the device's access once
    /// <paramref name="tx"/> commits); the one rule for every way of updating one. Call it last, when nothing
    /// else about the write can fail.
    /// </summary>
    internal DeviceIdentity UpdatedIdentity(HubState.HubTransaction tx, DeviceIdentity old, DeviceSettings settings)
    {
        if (settings.Status == DeviceStatus.Disabled && old.Status != DeviceStatus.Disabled)
            tx.OnCommitted(() => DeviceAccessRevoked?.Invoke(old.DeviceId));
        return old with
        {
            ETagCounter = tx.NextDeviceETag(),
            Status = settings.Status,
            StatusReason = settings.StatusReason,
            StatusUpdatedTime = settings.Status != old.Status ? tx.Now : old.StatusUpdatedTime,
            Authentication = WithGeneratedKeys(KeepKeysNotSent(settings.Authentication, old.Authentication)),
            IotEdge = settings.IotEdge,
        };
    }

    /// <summary>Stages a device's deletion and revokes its access once <paramref name="tx"/> commits.</summary>
    internal void StageDelete(HubState.HubTransaction tx, string deviceId)
    {
        tx.Delete(deviceId);
        tx.OnCommitted(() => DeviceAccessRevoked?.Invoke(deviceId));
    }

    /// <summary>The device, or <c>DeviceNotFound</c>.</summary>
    public DeviceIdentity Get(string deviceId)
        => Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId);

    /// <summary>The device, or null.</summary>
    public DeviceIdentity? Find(string deviceId) => hub.Read(v => v.Find(deviceId)?.Identity);

    /// <summary>Deletes the device (and its twin) if <paramref name="ifMatch"/> allows.</summary>
    public void Delete(string deviceId, ETagCondition ifMatch)
        => hub.Write(tx =>
        {
            var existing = tx.Find(deviceId) ?? throw HubException.DeviceNotFound(deviceId);
            ifMatch.Verify(existing.Identity.ETag, $"device {deviceId}");
            StageDelete(tx, deviceId);
            return true;
        });

    /// <summary>Up to <paramref name="top"/> devices in id order (values outside 1–1000 mean 1000, as on the hub).</summary>
    public IReadOnlyList<DeviceIdentity> List(int? top = null)
    {
        var count = top is >= 1 and <= MaxListCount ? top.Value : MaxListCount;
        return hub.Read(v => v.Devices.Take(count).Select(r => r.Identity).ToList());
    }

    /// <summary>Total, enabled and disabled device counts.</summary>
    public RegistryStatistics GetRegistryStatistics() => hub.Read(v =>
    {
        long enabled = 0, disabled = 0;
        foreach (var r in v.Devices)
        {
            if (r.Identity.Status == DeviceStatus.Enabled) enabled++;
            else disabled++;
        }
        return new RegistryStatistics(enabled + disabled, enabled, disabled);
    });

    /// <summary>How many devices are connected now.</summary>
    public ServiceStatistics GetServiceStatistics()
        => hub.Read(v => new ServiceStatistics(v.Devices.LongCount(r => r.Identity.Connected)));

    /// <summary>
    /// Records that a device connected or disconnected (called by the device transports). Not written to the
    /// store on its own: after a restart no device is connected. False when the device does not exist (it may
    /// have been deleted while connected).
    /// </summary>
    public bool SetConnectionState(string deviceId, bool connected)
        => hub.Write(tx =>
        {
            if (tx.Find(deviceId) is not { } existing) return false;
            if (existing.Identity.Connected == connected) return true;
            var now = tx.Now;
            tx.Touch(existing with
            {
                Identity = existing.Identity with
                {
                    Connected = connected,
                    ConnectionStateUpdatedTime = now,
                    LastActivityTime = connected ? now : existing.Identity.LastActivityTime,
                },
            });
            return true;
        });

    // An update that leaves the keys out (a status change sent as {"status":"disabled"}) must not silently
    // replace the keys the device is using; only a create generates keys that were not given.
    private static DeviceAuthentication KeepKeysNotSent(DeviceAuthentication requested, DeviceAuthentication current)
        => requested.Type == AuthenticationType.Sas && current.Type == AuthenticationType.Sas
            ? requested with
            {
                PrimaryKey = requested.PrimaryKey ?? current.PrimaryKey,
                SecondaryKey = requested.SecondaryKey ?? current.SecondaryKey,
            }
            : requested;

    /// <summary>
    /// Records that a device sent or received something now (<c>lastActivityTime</c>). Kept to one update per
    /// device and second: the field is for people and queries, and a busy device must not serialise on it.
    /// </summary>
    public void RecordActivity(string deviceId)
    {
        var now = hub.Clock.GetUtcNow();
        hub.Write(tx =>
        {
            if (tx.Find(deviceId) is not { } existing || now - existing.Identity.LastActivityTime < ActivityResolution) return false;
            tx.Touch(existing with { Identity = existing.Identity with { LastActivityTime = now } });
            return true;
        });
    }

    private static readonly TimeSpan ActivityResolution = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Raised after a device was deleted or disabled (and the change stored), with its id, so device transports
    /// can close its connection as IoT Hub does. Runs under the hub's lock: hand it on, never block.
    /// </summary>
    public event Action<string>? DeviceAccessRevoked;

    private static DeviceAuthentication WithGeneratedKeys(DeviceAuthentication auth)
        => auth.Type != AuthenticationType.Sas
            ? auth
            : auth with
            {
                PrimaryKey = auth.PrimaryKey ?? DeviceValidator.NewKey(),
                SecondaryKey = auth.SecondaryKey ?? DeviceValidator.NewKey(),
            };
}
