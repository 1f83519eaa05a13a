namespace IotLabKit.Service;

/// <summary>403004: the device already has the most cloud-to-device messages IoT Hub queues for one device (50).</summary>
public sealed class DeviceMaximumQueueDepthExceededException : QuotaExceededException
{
    /// <summary>Creates the exception from the hub's answer.</summary>
    public DeviceMaximumQueueDepthExceededException(IotHubErrorDetails details) : base(details) { }
}
