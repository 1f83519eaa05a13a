using Amqp.Listener;
using Amqp.Types;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The <c>$management</c> node of the Event Hubs-compatible endpoint: <c>READ</c> of <c>com.microsoft:eventhub</c>
/// (name, creation time, partition ids) and <c>com.microsoft:partition</c> (sequence numbers, last offset and enqueued
/// time, emptiness), read from the telemetry store. Needs ServiceConnect, from the request's <c>security_token</c> or
/// the connection's CBS token.
/// </summary>
internal sealed class EventHubManagementProcessor(TelemetryStore telemetry, AmqpAuthorization authorization, string hubName, DateTimeOffset createdAt)
    : IRequestProcessor
{
    public int Credit => 100;

    public void Process(RequestContext requestContext)
    {
        var request = requestContext.Message;
        var connection = requestContext.Link.Session.Connection;
        if (AmqpReplies.Property(request, "security_token") is { } token)
        {
            try { authorization.PutToken(connection, token); }
            catch (HubException ex)
            {
                requestContext.Complete(AmqpReplies.Create(request, 401, ex.Message));
                return;
            }
        }
        if (authorization.WhyNot(connection, IotHubPermissions.ServiceConnect) is { } why)
        {
            requestContext.Complete(AmqpReplies.Create(request, 401, why));
            return;
        }
        var operation = AmqpReplies.Property(request, "operation");
        var type = AmqpReplies.Property(request, "type");
        var name = AmqpReplies.Property(request, "name");
        if (operation != "READ")
        {
            requestContext.Complete(AmqpReplies.Create(request, 400, $"The $management operation '{operation}' is not supported; use READ."));
            return;
        }
        if (!string.Equals(name, hubName, StringComparison.OrdinalIgnoreCase))
        {
            requestContext.Complete(AmqpReplies.Create(request, 404, $"The event hub '{name}' does not exist; this endpoint's entity is '{hubName}'."));
            return;
        }
        switch (type)
        {
            case "com.microsoft:eventhub":
                requestContext.Complete(AmqpReplies.Create(request, 200, "OK", new Map
                {
                    ["name"] = hubName,
                    ["created_at"] = createdAt.UtcDateTime,
                    ["partition_count"] = telemetry.PartitionCount,
                    ["partition_ids"] = Enumerable.Range(0, telemetry.PartitionCount).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                }));
                return;
            case "com.microsoft:partition":
                var partitionId = AmqpReplies.Property(request, "partition");
                if (!int.TryParse(partitionId, System.Globalization.CultureInfo.InvariantCulture, out var partition) || partition < 0 || partition >= telemetry.PartitionCount)
                {
                    requestContext.Complete(AmqpReplies.Create(request, 404, $"The partition '{partitionId}' does not exist; this hub has partitions 0 to {telemetry.PartitionCount - 1}."));
                    return;
                }
                var info = telemetry.GetPartitionInfo(partition);
                requestContext.Complete(AmqpReplies.Create(request, 200, "OK", new Map
                {
                    ["name"] = hubName,
                    ["partition"] = partitionId,
                    ["begin_sequence_number"] = info.BeginningSequenceNumber,
                    ["last_enqueued_sequence_number"] = info.LastSequenceNumber,
                    ["last_enqueued_offset"] = info.LastOffset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["last_enqueued_time_utc"] = (info.LastEnqueuedTime ?? DateTimeOffset.UnixEpoch).UtcDateTime,
                    ["is_partition_empty"] = info.IsEmpty,
                }));
                return;
            default:
                requestContext.Complete(AmqpReplies.Create(request, 400, $"The $management type '{type}' is not supported; use com.microsoft:eventhub or com.microsoft:partition."));
                return;
        }
    }
}
