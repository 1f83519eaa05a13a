using System.Management.Automation;
using System.Text.Json;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// Turns one query result into what the cmdlets output, by what the hub said the page holds: twins become the
/// module's twin objects (<see cref="TwinView"/>, as Get-Twin outputs), per-device job results the objects
/// Get-IotJobDeviceResult outputs (<see cref="DeviceJobInfo"/>), and projections and aggregate rows plain
/// PSCustomObjects with the row's own member names.
/// </summary>
internal static class QueryRowView
{
    /// <summary>Converts an item's JSON text.</summary>
    public static object? From(string json, QueryResultType resultType)
    {
        switch (resultType)
        {
            case QueryResultType.Twin:
                return TwinView.From(Twin.FromJson(json));
            case QueryResultType.DeviceJob:
                return DeviceJobInfo.From(DeviceJob.FromJson(json));
            default:
                using (var document = JsonDocument.Parse(json)) return PSJson.ToPSValue(document.RootElement);
        }
    }
}
