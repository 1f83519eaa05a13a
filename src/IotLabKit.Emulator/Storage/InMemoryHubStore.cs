namespace IotLabKit.Emulator.Storage;

/// <summary>A store that forgets everything when the process exits (<c>--in-memory</c>).</summary>
public sealed class InMemoryHubStore : IHubStore
{
    private readonly Dictionary<(string Collection, string Id), string> _entities = new();
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public string Kind => "memory";

    /// <inheritdoc />
    public IReadOnlyList<StoredEntity> LoadAll(string collection)
    {
        lock (_gate)
            return _entities.Where(e => e.Key.Collection == collection).Select(e => new StoredEntity(e.Key.Id, e.Value)).ToList();
    }

    /// <inheritdoc />
    public void Apply(IReadOnlyList<StoreChange> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                if (change.Json is null) _entities.Remove((change.Collection, change.Id));
                else _entities[(change.Collection, change.Id)] = change.Json;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() { }
}
