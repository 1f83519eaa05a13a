using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace IotLabKit.Emulator.Core;

/// <summary>
/// The two entity-tag shapes IoT Hub uses, made from counters: device etags are base64 of an ASCII decimal
/// (<c>MQ==</c> is 1), twin etags base64 of an 8-byte big-endian number (<c>AAAAAAAAAAE=</c> is 1).
/// </summary>
public static class ETags
{
    /// <summary>The device (and twin <c>deviceEtag</c>) form of <paramref name="counter"/>.</summary>
    public static string ForDevice(long counter)
        => Convert.ToBase64String(Encoding.ASCII.GetBytes(counter.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The twin form of <paramref name="counter"/>.</summary>
    public static string ForTwin(long counter)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, counter);
        return Convert.ToBase64String(bytes);
    }
}
