namespace NeuralArt.Pipeline.Inbox;

/// <summary>An inbox blob that starts a job: its kind, its name, and the inputs its path names by role.</summary>
public sealed record InboxEntry(string Kind, string BlobName, IReadOnlyDictionary<string, IReadOnlyList<string>> Inputs);
