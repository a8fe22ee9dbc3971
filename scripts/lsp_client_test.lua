-- The end-to-end test of `healthlint server` with a real editor client: Neovim's built-in
-- LSP client (0.7 or newer), run headless by scripts/lsp-client-test.sh. It opens a bad
-- article and checks where the client places each diagnostic. Neovim converts the server's
-- positions (UTF-16 units: Neovim 0.7 offers no other encoding) into byte columns of its
-- buffer, so a server that counted code points would land its diagnostics off by one byte
-- per emoji before them on the line. Then it edits the buffer (incremental sync), asks for a
-- hover and a code action, applies the action's edit and sees the finding go.
--
-- Environment: HEALTHLINT_BIN (the binary), WORK (a scratch folder). Exits 0 on success;
-- on failure it prints why and exits 1 (`cquit`).

local bin, work = os.getenv("HEALTHLINT_BIN"), os.getenv("WORK")
local checks = 0

local function fail(message)
  io.stderr:write("lsp-client-test: FAIL: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function check(ok, message)
  if not ok then
    error(message, 0)
  end
  checks = checks + 1
end

local function describe(diagnostics)
  local out = {}
  for _, d in ipairs(diagnostics) do
    table.insert(out, string.format("%s %d:%d-%d:%d", tostring(d.code), d.lnum, d.col, d.end_lnum, d.end_col))
  end
  return table.concat(out, ", ")
end

local function run()
  local lines = {
    "# Knee care",
    "",
    "😀 Our balm is 100% safe and a miracle cure.",
    "",
    "Rest helps. 😀😀 Friends call it a miracle cure too.",
  }
  local file = work .. "/knee.md"
  vim.fn.writefile(lines, file)
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "healthlint",
    cmd = { bin, "server" },
    root_dir = work,
    init_options = { debounceMs = 0 },
    flags = { debounce_text_changes = 0 },
  })
  check(client_id ~= nil, "the client did not start the server")
  vim.lsp.buf_attach_client(buf, client_id)

  -- The byte columns where each finding must be, from the buffer's own text.
  local function expect(code, lnum, needle, diagnostics)
    local col = string.find(lines[lnum + 1], needle, 1, true) - 1
    for _, d in ipairs(diagnostics) do
      if d.code == code and d.lnum == lnum and d.col == col and d.end_lnum == lnum and d.end_col == col + #needle then
        checks = checks + 1
        return
      end
    end
    error(string.format("no %s at %d:%d-%d (`%s`) among: %s", code, lnum, col, col + #needle, needle, describe(diagnostics)), 0)
  end

  local function wait_for(what, test)
    local ok = vim.wait(20000, function()
      return test(vim.diagnostic.get(buf))
    end, 20)
    check(ok, "timed out waiting for " .. what .. "; diagnostics: " .. describe(vim.diagnostic.get(buf)))
    return vim.diagnostic.get(buf)
  end

  local found = wait_for("the first diagnostics", function(d) return #d >= 3 end)
  local client = vim.lsp.get_client_by_id(client_id)
  check(client.offset_encoding == "utf-16", "offset encoding " .. tostring(client.offset_encoding))
  expect("HL501", 2, "100% safe", found)
  expect("HL502", 2, "miracle cure", found)
  expect("HL502", 4, "miracle cure", found)

  -- An edit in the buffer reaches the server as an incremental change.
  table.insert(lines, "")
  table.insert(lines, "😀 Tell them it is risk-free.")
  vim.api.nvim_buf_set_lines(buf, 5, 5, false, { "", lines[7] })
  found = wait_for("a finding on the new line", function(d)
    for _, x in ipairs(d) do
      if x.lnum == 6 then return true end
    end
    return false
  end)
  expect("HL501", 6, "risk-free", found)

  -- Hover on the claim: the rule's explanation.
  local uri = vim.uri_from_bufnr(buf)
  local _, utf16 = vim.str_utfindex(lines[3], string.find(lines[3], "100%", 1, true))
  local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
    textDocument = { uri = uri },
    position = { line = 2, character = utf16 },
  }, 10000)
  local hover = replies and replies[client_id] and replies[client_id].result
  check(hover and hover.contents and vim.startswith(hover.contents.value, "HL501 risk-free-claim"),
    "hover: " .. vim.inspect(replies))

  -- The code action that suppresses it, applied by the client.
  replies = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
    textDocument = { uri = uri },
    range = { start = { line = 2, character = utf16 }, ["end"] = { line = 2, character = utf16 } },
    context = { diagnostics = {} },
  }, 10000)
  local actions = replies and replies[client_id] and replies[client_id].result or {}
  local suppress
  for _, a in ipairs(actions) do
    if a.title == "Suppress HL501 on this line" then suppress = a end
  end
  check(suppress ~= nil, "no suppress action: " .. vim.inspect(actions))
  vim.lsp.util.apply_workspace_edit(suppress.edit, client.offset_encoding)
  local third = vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]
  check(third == "<!-- healthlint-disable-next-line HL501 -->", "line 3 after the action: " .. third)
  wait_for("HL501 on line 4 to go", function(d)
    for _, x in ipairs(d) do
      if x.code == "HL501" and x.lnum == 3 then return false end
    end
    -- The other findings are still there, one line lower.
    for _, x in ipairs(d) do
      if x.code == "HL502" and x.lnum == 3 then return true end
    end
    return false
  end)

  vim.lsp.stop_client(client_id)
end

local ok, err = pcall(run)
if not ok then
  fail(tostring(err))
else
  io.stderr:write(string.format("lsp-client-test: %d checks passed (Neovim %s)\n", checks, tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch)))
  vim.cmd("qall!")
end
