namespace IotLabKit.Service;

/// <summary>Which outcomes of a cloud-to-device message produce feedback (Microsoft's names; <c>iothub-ack</c> on the wire).</summary>
public enum DeliveryAcknowledgement
{
    /// <summary>No feedback (<c>none</c>).</summary>
    None,
    /// <summary>Feedback when the device completes the message (<c>positive</c>).</summary>
    PositiveOnly,
    /// <summary>Feedback when it expires, runs out of deliveries, is rejected or purged (<c>negative</c>).</summary>
    NegativeOnly,
    /// <summary>Both (<c>full</c>).</summary>
    Full,
}
