using System.Text;

namespace IotLabKit.Device;

/// <summary>A direct-method call from the back end.</summary>
public sealed class MethodRequest
{
    /// <summary>Creates a request (for tests of method handlers).</summary>
    public MethodRequest(string name, byte[]? data = null, TimeSpan? responseTimeout = null, TimeSpan? connectionTimeout = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Data = data ?? Array.Empty<byte>();
        ResponseTimeout = responseTimeout;
        ConnectionTimeout = connectionTimeout;
    }

    /// <summary>The method name as the back end wrote it.</summary>
    public string Name { get; }

    /// <summary>The payload: the UTF-8 JSON the back end sent (<c>null</c> when it sent none).</summary>
    public byte[] Data { get; }

    /// <summary>The payload as JSON text, or null when the request has no payload.</summary>
    public string? DataAsJson => Data.Length == 0 ? null : Encoding.UTF8.GetString(Data);

    /// <summary>How long the back end waits for the answer; IoT Hub does not tell devices over MQTT, so usually null.</summary>
    public TimeSpan? ResponseTimeout { get; }

    /// <summary>How long the back end waited for the device to connect; usually null over MQTT.</summary>
    public TimeSpan? ConnectionTimeout { get; }
}

/// <summary>The device's answer to a direct method: a status (any integer) and an optional JSON result.</summary>
public sealed class MethodResponse
{
    /// <summary>An answer with a JSON result.</summary>
    public MethodResponse(byte[] result, int status)
    {
        Result = result ?? Array.Empty<byte>();
        Status = status;
    }

    /// <summary>An answer with no result (the back end sees <c>payload: null</c>).</summary>
    public MethodResponse(int status) : this(Array.Empty<byte>(), status) { }

    /// <summary>The result as UTF-8 JSON; empty for none.</summary>
    public byte[] Result { get; }

    /// <summary>The result as JSON text, or null when empty.</summary>
    public string? ResultAsJson => Result.Length == 0 ? null : Encoding.UTF8.GetString(Result);

    /// <summary>The status the back end receives.</summary>
    public int Status { get; }

    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the client has put this answer on the wire and the hub acknowledged it (or sending failed), so
    /// that a device can act only after its answer is out — a simulated reboot must not disconnect before it.
    /// </summary>
    internal Task Sent => _sent.Task;

    internal void MarkSent() => _sent.TrySetResult();
}

/// <summary>Handles a direct method; <paramref name="userContext"/> is what was passed when the handler was set.</summary>
public delegate Task<MethodResponse> MethodCallback(MethodRequest methodRequest, object? userContext);
