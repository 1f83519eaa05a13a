using System.Management.Automation;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// One metric of an automatic device configuration with the devices behind it (PSTypeName
/// <c>IotLabKit.AutoConfigurationMetric</c>): the count the hub computed at its last evaluation, and the device ids
/// its query returns now.
/// </summary>
public sealed class AutoConfigurationMetricInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.AutoConfigurationMetric";

    /// <summary>The configuration.</summary>
    public string ConfigurationId { get; init; } = "";
    /// <summary>The metric's name (<c>targetedCount</c>, <c>appliedCount</c>, or a custom name).</summary>
    public string Metric { get; init; } = "";
    /// <summary>System (the hub's targetedCount and appliedCount) or Custom.</summary>
    public string Type { get; init; } = "";
    /// <summary>The count at the hub's last evaluation.</summary>
    public long Count { get; init; }
    /// <summary>The metric's query.</summary>
    public string Query { get; init; } = "";
    /// <summary>The device ids the query returns now (it may have changed since the last evaluation).</summary>
    public string[] DeviceIds { get; init; } = [];

    internal static PSObject Wrap(AutoConfigurationMetricInfo info)
    {
        var ps = PSObject.AsPSObject(info);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{ConfigurationId}/{Metric}";
}
