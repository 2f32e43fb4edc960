{
  "targets": [
    {
      "target_name": "crucible_engine",
      "sources": ["src/addon.cc", "src/engine.cc", "src/sample.cc", "src/alloc.cc", "src/small_gemm.cc", "src/device.cc", "src/moe.cc", "src/qwen35.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node ../scripts/libtorch.cjs --include)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node ../scripts/libtorch.cjs --defines)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["<!@(node ../scripts/libtorch.cjs --cflags)", "-O2", "-fexceptions", "-frtti", "-Wno-unused-parameter"],
      "ldflags": ["<!@(node ../scripts/libtorch.cjs --ldflags)"],
      "libraries": ["<!@(node ../scripts/libtorch.cjs --libs)", "-ldl"]
    }
  ]
}
