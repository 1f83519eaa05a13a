using System.Collections.Concurrent;
using System.Management.Automation;
using IotLabKit.Simulation;

namespace IotLabKit.PowerShell.Simulation;

/// <summary>
/// The simulated devices running in this PowerShell process, by device id (one per id). They run on background
/// threads; cmdlets only start, list and stop them, so nothing writes to the pipeline from those threads.
/// </summary>
internal static class SimulationSession
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.SimulatedDevice";

    private static readonly ConcurrentDictionary<string, SimulatedDevice> Devices = new(StringComparer.Ordinal);

    /// <summary>Every simulated device, ordered by id.</summary>
    public static IReadOnlyList<SimulatedDevice> All
        => Devices.Values.OrderBy(d => d.DeviceId, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The simulated device with this id, or null.</summary>
    public static SimulatedDevice? Find(string deviceId) => Devices.TryGetValue(deviceId, out var d) ? d : null;

    /// <summary>Adds a started device; false when one with that id is already there.</summary>
    public static bool TryAdd(SimulatedDevice device) => Devices.TryAdd(device.DeviceId, device);

    /// <summary>Forgets a device (when it is stopped).</summary>
    public static void Remove(SimulatedDevice device) => Devices.TryRemove(new KeyValuePair<string, SimulatedDevice>(device.DeviceId, device));

    /// <summary>Stops every device (module removal, emulator stop); waits up to <paramref name="timeout"/>.</summary>
    public static void StopAll(TimeSpan timeout)
    {
        var all = Devices.Values.ToList();
        foreach (var device in all) Remove(device);
        try { Task.WhenAll(all.Select(d => d.StopAsync())).Wait(timeout); }
        catch (AggregateException) { /* a device that fails to stop cleanly is gone either way */ }
    }

    /// <summary>Wraps a device for output, with the PSTypeName of its views.</summary>
    public static PSObject Output(SimulatedDevice device)
    {
        var ps = PSObject.AsPSObject(device);
        if (!ps.TypeNames.Contains(TypeName)) ps.TypeNames.Insert(0, TypeName);
        return ps;
    }
}
