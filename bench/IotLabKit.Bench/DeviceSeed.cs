using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;

namespace IotLabKit.Bench;

/// <summary>Registers devices straight into a data directory's store (one transaction), before the emulator starts.</summary>
internal static class DeviceSeed
{
    /// <summary>Creates <paramref name="devices"/> devices named <c>{prefix}-000000…</c>; returns id → primary key.</summary>
    public static Dictionary<string, string> Create(string dataDir, int devices, string prefix)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        using var hub = new HubState(new SqliteHubStore(dataDir), TimeProvider.System);
        hub.Write(tx =>
        {
            for (var i = 0; i < devices; i++)
            {
                var id = $"{prefix}-{i:D6}";
                keys[id] = DeviceValidator.NewKey();
                tx.Put(new DeviceRecord(new DeviceIdentity
                {
                    DeviceId = id,
                    GenerationId = tx.NextGenerationId(),
                    ETagCounter = tx.NextDeviceETag(),
                    Authentication = new DeviceAuthentication { PrimaryKey = keys[id], SecondaryKey = DeviceValidator.NewKey() },
                }, TwinDocument.Create(tx.Now)));
            }
            return 0;
        });
        return keys;
    }

    /// <summary>A fresh temporary data directory.</summary>
    public static string NewDataDir(string label)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"iotlabkit-bench-{label}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
