using System.Collections.Concurrent;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// Keeps SUBACK return codes in the order of the SUBSCRIBE's filters, as MQTT requires. MQTTnet 5.2 handles a
/// SUBSCRIBE's filters highest QoS first (so a higher QoS wins for duplicates) and lists the codes in that order;
/// a client that subscribes to several filters of different QoS at once would read each code against the wrong
/// filter. This puts them back: the handling order is a stable sort by QoS, descending.
/// </summary>
public sealed class SubAckOrder
{
    private readonly ConcurrentDictionary<(string ClientId, ushort PacketId), MqttQualityOfServiceLevel[]> _pending = new();

    /// <summary>Notes a SUBSCRIBE whose codes MQTTnet will reorder.</summary>
    public void OnSubscribe(string clientId, MqttSubscribePacket subscribe)
    {
        var levels = subscribe.TopicFilters.Select(f => f.QualityOfServiceLevel).ToArray();
        if (levels.Distinct().Count() > 1) _pending[(clientId, subscribe.PacketIdentifier)] = levels;
    }

    /// <summary>Restores the filter order of a SUBACK's codes.</summary>
    public void OnSubAck(string clientId, MqttSubAckPacket subAck)
    {
        if (!_pending.TryRemove((clientId, subAck.PacketIdentifier), out var levels) || subAck.ReasonCodes.Count != levels.Length) return;
        subAck.ReasonCodes = Restore(levels, subAck.ReasonCodes);
    }

    /// <summary>Codes listed in handling order (stable, by QoS descending) → codes in filter order.</summary>
    public static List<MqttSubscribeReasonCode> Restore(IReadOnlyList<MqttQualityOfServiceLevel> requested, IReadOnlyList<MqttSubscribeReasonCode> handled)
    {
        var handlingOrder = Enumerable.Range(0, requested.Count).OrderByDescending(i => requested[i]).ToArray();
        var result = new MqttSubscribeReasonCode[requested.Count];
        for (var k = 0; k < handlingOrder.Length; k++) result[handlingOrder[k]] = handled[k];
        return [.. result];
    }
}
