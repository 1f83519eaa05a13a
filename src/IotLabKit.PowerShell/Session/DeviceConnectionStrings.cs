using IotLabKit.Service;

namespace IotLabKit.PowerShell.Session;

/// <summary>
/// The one place where a device connection string is put together from a hub connection and a registry entry:
/// <c>HostName=…;DeviceId=…;SharedAccessKey=…</c>, plus <c>UseDevelopmentEmulator=true</c> for the emulator so
/// IotLabKit's device client trusts its certificate.
/// </summary>
internal static class DeviceConnectionStrings
{
    /// <summary>The connection string, or null when the device has no symmetric key of that kind.</summary>
    public static string? Build(HubConnection connection, Device device, bool secondary = false)
    {
        var keys = device.Authentication?.SymmetricKey;
        var key = secondary ? keys?.SecondaryKey : keys?.PrimaryKey;
        if (device.Authentication?.Type is not (null or AuthenticationType.Sas) || string.IsNullOrEmpty(key)) return null;
        return $"HostName={connection.HostName};DeviceId={device.Id};SharedAccessKey={key}"
            + (connection.IsEmulator ? ";UseDevelopmentEmulator=true" : "");
    }
}
