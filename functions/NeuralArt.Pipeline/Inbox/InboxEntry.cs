namespace NeuralArt.Pipeline.Inbox;

/// <summary>
/// An inbox blob that starts a job: its kind, its name, the inputs its path names by role, and the
/// role the blob itself fills (the engine's primary role: <c>source</c> for a photo, <c>video</c> for a clip).
/// </summary>
public sealed record InboxEntry(string Kind, string BlobName, IReadOnlyDictionary<string, IReadOnlyList<string>> Inputs, string PrimaryRole);
