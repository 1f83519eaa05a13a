using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Protocol;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// Attaches the links that are not request/response nodes: partition readers of the Event Hubs-compatible endpoint
/// (<c>{hub}/ConsumerGroups/{group}/Partitions/{id}</c>, ServiceConnect, in an existing consumer group) and the
/// cloud-to-device links (<see cref="CloudToDeviceLinks"/>). Anything else is refused with
/// <c>amqp:not-found</c>; a link without the right token with <c>amqp:unauthorized-access</c>.
/// </summary>
internal sealed class AmqpLinkRouter(TelemetryStore telemetry, ConsumerGroupRegistry consumerGroups, AmqpAuthorization authorization, string hubName, ILogger logger,
    CloudToDeviceLinks cloudToDevice, CbsNode cbs) : ILinkProcessor
{
    private static readonly Symbol NotFound = new("amqp:not-found");
    private static readonly Symbol Unauthorized = new("amqp:unauthorized-access");
    private static readonly Symbol InvalidField = new("amqp:invalid-field");

    public void Process(AttachContext attachContext)
    {
        var attach = attachContext.Attach;
        // The client's role true = it receives, so we send from its source.
        var address = attach.Role ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;
        if (cbs.TryAttach(attachContext, attach.Role, address) || cloudToDevice.TryAttach(attachContext, attach.Role, address)) return;
        if (!attach.Role || EventHubAddress.TryParse(address) is not { } reader)
        {
            attachContext.Complete(new Error(NotFound) { Description = $"The emulator has no AMQP node '{address}' for a {(attach.Role ? "receiver" : "sender")}: read telemetry from '{hubName}/ConsumerGroups/$Default/Partitions/<id>'." });
            return;
        }
        if (authorization.WhyNot(attachContext.Link.Session.Connection, IotHubPermissions.ServiceConnect) is { } why)
        {
            attachContext.Complete(new Error(Unauthorized) { Description = why });
            return;
        }
        if (!string.Equals(reader.EventHub, hubName, StringComparison.OrdinalIgnoreCase))
        {
            attachContext.Complete(new Error(NotFound) { Description = $"The event hub '{reader.EventHub}' does not exist; this endpoint's entity is '{hubName}'." });
            return;
        }
        if (!consumerGroups.Exists(reader.ConsumerGroup))
        {
            attachContext.Complete(new Error(NotFound) { Description = EventHubAddress.ConsumerGroupNotFound(hubName, reader.ConsumerGroup) });
            return;
        }
        if (!int.TryParse(reader.Partition, System.Globalization.CultureInfo.InvariantCulture, out var partition) || partition < 0 || partition >= telemetry.PartitionCount)
        {
            attachContext.Complete(new Error(NotFound) { Description = $"The partition '{reader.Partition}' does not exist; this hub has partitions 0 to {telemetry.PartitionCount - 1}." });
            return;
        }
        TelemetryPosition position;
        try { position = EventPositionFilter.Parse(SelectorOf((Source)attach.Source)); }
        catch (FormatException ex)
        {
            attachContext.Complete(new Error(InvalidField) { Description = ex.Message });
            return;
        }
        var start = telemetry.Resolve(partition, position);
        attachContext.Complete(new PartitionReaderEndpoint(telemetry, partition, start, attachContext.Link, logger), 0);
    }

    private static string? SelectorOf(Source source)
    {
        if (source.FilterSet is not { } filters) return null;
        foreach (var key in filters.Keys)
        {
            var value = filters[key];
            if (value is DescribedValue described
                && (key.ToString() == EventPositionFilter.SelectorFilterName
                    || described.Descriptor?.ToString() == EventPositionFilter.SelectorFilterName
                    || described.Descriptor is ulong code && code == EventPositionFilter.SelectorFilterCode))
                return described.Value as string;
        }
        return null;
    }
}
