using System.Text.Json;

namespace IotLabKit.Device;

/// <summary>
/// The direct-method handlers and the rules Microsoft's C# device SDK applies when answering: no handler for the
/// name and no default handler → 501; a payload that is not JSON → 400; a handler that throws → 500. An empty
/// payload is taken as no payload (IoT Hub sends <c>null</c> for one).
/// </summary>
internal sealed class MethodDispatcher
{
    /// <summary>Status sent when no handler is registered for the method.</summary>
    public const int NotImplemented = 501;
    /// <summary>Status sent when the request payload is not JSON.</summary>
    public const int BadRequest = 400;
    /// <summary>Status sent when the handler throws.</summary>
    public const int HandlerFailed = 500;

    private readonly Dictionary<string, (MethodCallback Handler, object? Context)> _handlers = new(StringComparer.Ordinal);
    private (MethodCallback Handler, object? Context)? _default;
    private readonly Lock _lock = new();

    /// <summary>True when at least one handler (named or default) is set.</summary>
    public bool HasHandlers
    {
        get { lock (_lock) return _handlers.Count > 0 || _default is not null; }
    }

    /// <summary>Sets or (with a null handler) removes the handler for <paramref name="name"/>.</summary>
    public void Set(string name, MethodCallback? handler, object? context)
    {
        lock (_lock)
        {
            if (handler is null) _handlers.Remove(name);
            else _handlers[name] = (handler, context);
        }
    }

    /// <summary>Sets or (with null) removes the handler for methods that have no handler of their own.</summary>
    public void SetDefault(MethodCallback? handler, object? context)
    {
        lock (_lock) _default = handler is null ? null : (handler, context);
    }

    /// <summary>
    /// Runs the handler for a request and returns what to answer. Never throws for a handler's failure; the
    /// handler's exception goes to <paramref name="onHandlerError"/>.
    /// </summary>
    public async Task<MethodResponse> InvokeAsync(string name, byte[] payload, Action<Exception>? onHandlerError = null)
    {
        (MethodCallback Handler, object? Context)? entry;
        lock (_lock) entry = _handlers.TryGetValue(name, out var named) ? named : _default;
        if (entry is not { } found) return new MethodResponse(NotImplemented);
        if (payload.Length > 0 && !IsJson(payload)) return new MethodResponse(BadRequest);
        try
        {
            var response = await found.Handler(new MethodRequest(name, payload), found.Context).ConfigureAwait(false);
            return response ?? new MethodResponse(HandlerFailed);
        }
        catch (Exception ex)
        {
            // The back end learns only the status, as with Microsoft's SDK.
            CallbackQueue.Report(onHandlerError, ex);
            return new MethodResponse(HandlerFailed);
        }
    }

    private static bool IsJson(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            reader.Read();
            reader.Skip();
            return !reader.Read(); // exactly one value, nothing after it
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
