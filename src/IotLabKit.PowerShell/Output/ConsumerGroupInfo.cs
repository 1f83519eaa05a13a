using System.Management.Automation;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>A consumer group of the hub's Event Hubs-compatible endpoint (PSTypeName <c>IotLabKit.ConsumerGroup</c>).</summary>
public sealed class ConsumerGroupInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.ConsumerGroup";

    /// <summary>Its name; pass it to Receive-IotTelemetry -ConsumerGroup.</summary>
    public string Name { get; init; } = "";
    /// <summary>When it was created (local time); null for $Default.</summary>
    public DateTime? Created { get; init; }
    /// <summary>The hub it belongs to.</summary>
    public string HubName { get; init; } = "";

    internal static PSObject From(ConsumerGroup group, string hubName)
    {
        var ps = PSObject.AsPSObject(new ConsumerGroupInfo { Name = group.Name, Created = DeviceInfo.Local(group.Properties.Created), HubName = hubName });
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
