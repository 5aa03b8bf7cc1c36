namespace NeuralArt.Contract;

public enum RenderFormat { Png, Jpeg }
