using System.Text;
using IotLabKit.Device.Mqtt;

namespace IotLabKit.Device;

/// <summary>How a telemetry message goes on the wire, and IoT Hub's size limit for it.</summary>
internal static class Telemetry
{
    /// <summary>IoT Hub's largest device-to-cloud message: 256 KB, body and properties together.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>The topic (with the property bag) for <paramref name="message"/>, after checking its size.</summary>
    /// <exception cref="MessageTooLargeException">Body and properties exceed <see cref="MaxMessageBytes"/>.</exception>
    public static string TopicFor(string deviceId, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bag = PropertyBag.Encode(message);
        var size = message.BodyLength + Encoding.UTF8.GetByteCount(bag);
        if (size > MaxMessageBytes)
            throw new MessageTooLargeException(
                $"The message is {size:N0} bytes (body {message.BodyLength:N0} plus properties); IoT Hub accepts at most {MaxMessageBytes:N0} bytes per device-to-cloud message. Split it or send less.");
        return HubTopics.Telemetry(deviceId, bag);
    }
}
