using Amqp.Framing;
using IotLabKit.Emulator.Amqp;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.CloudToDevice;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Mqtt;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.UnitTests.Emulator;

/// <summary>The cloud-to-device queue's rules on a hub held in memory, with a clock the test moves.</summary>
public class CloudToDeviceQueueTests
{
    private readonly ManualClock _clock = new();
    private readonly InMemoryHubStore _store = new();
    private readonly HubState _hub;
    private readonly DeviceRegistry _registry;
    private readonly FeedbackQueue _feedback;
    private readonly CloudToDeviceQueue _queue;

    public CloudToDeviceQueueTests()
    {
        _hub = new HubState(_store, _clock);
        _registry = new DeviceRegistry(_hub);
        _feedback = new FeedbackQueue(_hub);
        _queue = new CloudToDeviceQueue(_hub, _feedback, _registry, NullLogger<CloudToDeviceQueue>.Instance);
        _registry.CreateOrUpdate("d1", new DeviceSettings(), ETagCondition.None, out _);
    }

    private CloudToDeviceMessage Send(string id = "d1", FeedbackAck ack = FeedbackAck.Full, DateTimeOffset? expires = null, string? messageId = null)
        => _queue.Enqueue(new OutgoingCloudToDeviceMessage(id, [1, 2, 3], messageId, ack, expires));

    private int DeviceCount(string id = "d1") => _registry.Get(id).CloudToDeviceMessageCount;

    private List<FeedbackRecord> TakeFeedback()
    {
        var batch = _feedback.TryTake(this);
        if (batch is null) return [];
        _feedback.Complete(batch.LockToken);
        return [.. batch.Records];
    }

    [Fact]
    public void Fifty_messages_fit_and_the_51st_is_403004_while_the_device_count_follows_the_queue()
    {
        for (var i = 0; i < CloudToDeviceQueue.MaxQueueDepth; i++) Send();
        var refused = Assert.Throws<HubException>(() => Send());
        Assert.Equal(IotHubErrorCode.DeviceMaximumQueueDepthExceeded, refused.Code);
        Assert.Equal(50, DeviceCount());
        Assert.Equal(50, _queue.Purge("d1"));
        Assert.Equal(0, DeviceCount());
        Assert.Equal(50, TakeFeedback().Count(r => r.Status == FeedbackStatus.Purged));
    }

    [Fact]
    public void An_unknown_device_and_a_message_over_64_KB_are_refused()
    {
        Assert.Equal(IotHubErrorCode.DeviceNotFound, Assert.Throws<HubException>(() => Send("nobody")).Code);
        var big = new OutgoingCloudToDeviceMessage("d1", new byte[CloudToDeviceQueue.MaxMessageBytes + 1], null, FeedbackAck.None, null);
        Assert.Equal(IotHubErrorCode.MessageTooLarge, Assert.Throws<HubException>(() => _queue.Enqueue(big)).Code);
        Assert.Equal(IotHubErrorCode.DeviceNotFound, Assert.Throws<HubException>(() => _queue.Purge("nobody")).Code);
    }

    [Fact]
    public void A_completed_delivery_gives_Success_once_and_is_gone()
    {
        var sent = Send(messageId: "m1");
        var locked = Assert.Single(_queue.LockAvailable("d1", "conn-1"));
        Assert.Equal(1, locked.Message.DeliveryCount);
        Assert.Empty(_queue.LockAvailable("d1", "conn-1"));
        Assert.True(_queue.Complete("d1", locked.LockToken));
        Assert.False(_queue.Complete("d1", locked.LockToken));
        var record = Assert.Single(TakeFeedback());
        Assert.Equal((FeedbackStatus.Success, "m1", sent.GenerationId), (record.Status, record.OriginalMessageId, record.DeviceGenerationId));
        Assert.Equal(0, DeviceCount());
    }

    [Fact]
    public void A_message_abandoned_ten_times_is_dead_lettered_with_DeliveryCountExceeded()
    {
        Send(messageId: "m1");
        for (var delivery = 1; delivery <= CloudToDeviceQueue.MaxDeliveryCount; delivery++)
        {
            var locked = Assert.Single(_queue.LockAvailable("d1", $"conn-{delivery}"));
            Assert.Equal(delivery, locked.Message.DeliveryCount);
            _queue.AbandonAll("d1", $"conn-{delivery}");
        }
        Assert.Empty(_queue.LockAvailable("d1", "conn-last"));
        Assert.Equal(FeedbackStatus.DeliveryCountExceeded, Assert.Single(TakeFeedback()).Status);
        Assert.Equal(0, DeviceCount());
    }

    [Fact]
    public void Expired_messages_are_dropped_with_Expired_feedback_and_the_default_time_to_live_is_an_hour()
    {
        Send(messageId: "soon", expires: _clock.Now.AddSeconds(10));
        Send(messageId: "default");
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, _queue.ExpireDue());
        Assert.Equal("soon", Assert.Single(TakeFeedback()).OriginalMessageId);
        _clock.Advance(CloudToDeviceQueue.DefaultTimeToLive);
        Assert.Empty(_queue.LockAvailable("d1", "conn"));
        Assert.Equal("default", Assert.Single(TakeFeedback()).OriginalMessageId);
        Assert.Equal(0, DeviceCount());
    }

    [Theory]
    [InlineData(FeedbackAck.None, FeedbackStatus.Success, false)]
    [InlineData(FeedbackAck.Positive, FeedbackStatus.Success, true)]
    [InlineData(FeedbackAck.Positive, FeedbackStatus.Expired, false)]
    [InlineData(FeedbackAck.Negative, FeedbackStatus.Success, false)]
    [InlineData(FeedbackAck.Negative, FeedbackStatus.Purged, true)]
    [InlineData(FeedbackAck.Full, FeedbackStatus.Rejected, true)]
    public void Feedback_is_written_only_for_the_outcomes_iothub_ack_asks_for(FeedbackAck ack, FeedbackStatus status, bool wanted)
        => Assert.Equal(wanted, FeedbackRecord.IsWanted(ack, status));

    [Fact]
    public void Queued_messages_delivery_counts_and_feedback_are_loaded_again_from_the_store()
    {
        Send(messageId: "kept");
        Send(messageId: "done", ack: FeedbackAck.Positive);
        var locked = _queue.LockAvailable("d1", "conn");
        _queue.Complete("d1", locked[1].LockToken);
        _queue.AbandonAll("d1", "conn");

        var hub = new HubState(_store, _clock);
        var registry = new DeviceRegistry(hub);
        var feedback = new FeedbackQueue(hub);
        var queue = new CloudToDeviceQueue(hub, feedback, registry, NullLogger<CloudToDeviceQueue>.Instance);
        Assert.Equal(1, registry.Get("d1").CloudToDeviceMessageCount);
        var again = Assert.Single(queue.LockAvailable("d1", "conn-2"));
        Assert.Equal(("kept", 2), (again.Message.MessageId, again.Message.DeliveryCount));
        Assert.Equal("done", Assert.Single(feedback.TryTake(this)!.Records).OriginalMessageId);
    }

    [Fact]
    public void The_property_bag_lists_system_properties_first_and_encodes_every_part()
    {
        var message = Send(messageId: "m 1") with { CorrelationId = "c/1", ContentType = "application/json", Properties = [new("a&b", "x=y"), new("empty", null)] };
        Assert.Equal("%24.mid=m%201&%24.to=%2Fdevices%2Fd1%2Fmessages%2Fdevicebound&%24.cid=c%2F1&%24.ct=application%2Fjson&iothub-ack=full&a%26b=x%3Dy&empty",
            CloudToDeviceDelivery.PropertyBag(message));
    }

    [Fact]
    public void An_AMQP_message_is_read_as_IoT_Hub_reads_it()
    {
        var amqp = new global::Amqp.Message
        {
            BodySection = new Data { Binary = [7] },
            Properties = new Properties { To = "/devices/my%20dev/messages/deviceBound", MessageId = "m1" },
            ApplicationProperties = new ApplicationProperties { ["iothub-ack"] = "Positive", ["k"] = 5 },
        };
        var read = CloudToDeviceAmqpMessages.Read(amqp);
        Assert.Equal(("my dev", "m1", FeedbackAck.Positive), (read.DeviceId, read.MessageId, read.Ack));
        Assert.Equal([new KeyValuePair<string, string?>("k", "5")], read.Properties);
        Assert.Equal([7], read.Body);

        amqp.Properties.To = "/devices/d/modules/m/messages/devicebound";
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => CloudToDeviceAmqpMessages.Read(amqp)).Code);
        amqp.Properties.To = "/devices/d/messages/devicebound";
        amqp.ApplicationProperties["iothub-ack"] = "sometimes";
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => CloudToDeviceAmqpMessages.Read(amqp)).Code);
    }
}
