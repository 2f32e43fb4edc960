{
  "targets": [
    {
      "target_name": "crucible_engine",
      "sources": ["src/addon.cc", "src/engine.cc", "src/sample.cc", "src/alloc.cc", "src/small_gemm.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/torch/csrc/api/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-frtti", "-Wno-unused-parameter"],
      "libraries": ["-L/usr/lib/x86_64-linux-gnu", "-ltorch", "-ltorch_cpu", "-lc10"]
    }
  ]
}
