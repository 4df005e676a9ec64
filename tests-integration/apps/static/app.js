document.getElementById("external").textContent = "same-origin script file ran";
